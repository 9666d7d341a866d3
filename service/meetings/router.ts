import { Router } from "express";
import { z } from "zod";
import { createMeetingIdempotently, DEFAULT_TIMING, type IdempotencyTiming } from "./idempotent-create.ts";
import { deleteMeeting, updateMeeting } from "./meeting-changes.ts";
import { unlessGone } from "./meeting-life.ts";
import { getMeeting, type MeetingsDeps } from "./meetings.ts";
import { jsonBody, parseOr400 } from "./request-parsing.ts";
import { CreateMeetingRequest, DeleteMeetingQuery, MeetingParams, OrganizationQuery, UpdateMeetingRequest } from "./schemas.ts";

export interface MeetingsRouterDeps extends MeetingsDeps {
  readonly timing?: Partial<IdempotencyTiming>;
}

export const IdempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, "1-200 visible ASCII characters")
  .optional()
  .meta({ description: "Makes a retried create return the same meeting; default: the booking id." });

/** The booking app's meetings API (paths include /v1; mount at the root of the API app). */
export function createMeetingsRouter(deps: MeetingsRouterDeps): Router {
  const timing = { ...DEFAULT_TIMING, ...deps.timing };
  const router = Router();

  router.post("/v1/meetings", jsonBody(), async (req, res) => {
    const body = parseOr400(CreateMeetingRequest, req.body, "body");
    const key = parseOr400(IdempotencyKeyHeader, req.get("idempotency-key"), "header");
    const result = await createMeetingIdempotently(deps, body, key, timing);
    if (result.replayed) res.set("idempotent-replayed", "true");
    res.status(201).json(result.meeting);
  });

  router.get("/v1/meetings/:id", async (req, res) => {
    const { id } = parseOr400(MeetingParams, req.params, "path");
    const { organizationId } = parseOr400(OrganizationQuery, req.query, "query");
    res.json(await unlessGone(deps, organizationId, id, () => getMeeting(deps, organizationId, id)));
  });

  router.patch("/v1/meetings/:id", jsonBody(), async (req, res) => {
    const { id } = parseOr400(MeetingParams, req.params, "path");
    const body = parseOr400(UpdateMeetingRequest, req.body, "body");
    res.json(await unlessGone(deps, body.organizationId, id, () => updateMeeting(deps, id, body), body.occurrenceId));
  });

  router.delete("/v1/meetings/:id", async (req, res) => {
    const { id } = parseOr400(MeetingParams, req.params, "path");
    const query = parseOr400(DeleteMeetingQuery, req.query, "query");
    await deleteMeeting(deps, id, query);
    res.status(204).end();
  });

  return router;
}

// The internal API of the outbound events: an organization's endpoint (register, read with its
// delivery state, rotate the signing secret, remove) and the pull API.
import express, { type Router } from "express";
import { ErrorCode, ServiceError } from "../errors.ts";
import { parseOr400 } from "../meetings/request-parsing.ts";
import { OrgParams } from "../oauth/oauth-routes.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { Endpoint } from "./endpoint-store.ts";
import type { EventService } from "./event-service.ts";
import { toCloudEvent } from "./event-types.ts";
import { emptyLog, eventsAfter, type OrgLog, undelivered } from "./org-log.ts";
import { EndpointRequest, EventsQuery, RotateRequest } from "./schemas.ts";

const orgOf = (params: unknown) => parseOr400(OrgParams, params, "path").organizationId;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function endpointView(endpoint: Endpoint, log: OrgLog | undefined) {
  const l = log ?? emptyLog(endpoint.organizationId);
  const d = l.delivery;
  const previous = endpoint.secrets.find((s) => s.expiresAt !== undefined);
  return {
    organizationId: endpoint.organizationId,
    url: endpoint.url,
    types: endpoint.types,
    createdAt: endpoint.createdAt,
    ...(previous ? { previousSecretExpiresAt: iso(previous.expiresAt) } : {}),
    delivery: {
      state: d.failingSince === undefined ? ("Healthy" as const) : ("Failing" as const),
      pendingEvents: undelivered(l).length,
      attempts: d.attempts,
      ...clean({ failingSince: iso(d.failingSince), lastError: d.lastError, nextAttemptAt: iso(d.nextAttemptAt) }),
      ...clean({ lastDeliveredAt: iso(d.lastDeliveredAt) }),
    },
  };
}

export function createEventsRouter(events: EventService, now: () => number): Router {
  const router = express.Router();
  const path = "/v1/organizations/:organizationId/zoom/events/endpoint";
  const notFound = () => new ServiceError(ErrorCode.NotFound, "this organization has no event endpoint registered");

  router.put(path, async (req, res) => {
    const organizationId = orgOf(req.params);
    const want = parseOr400(EndpointRequest, req.body ?? {}, "body");
    const put = await events.endpoints.put(organizationId, { url: want.url, types: want.types ?? null });
    const view = endpointView(put.endpoint, await events.log.read(organizationId));
    res.status(put.created ? 201 : 200).json(put.created ? { ...view, signingSecret: put.signingSecret } : view);
  });
  router.get(path, async (req, res) => {
    const organizationId = orgOf(req.params);
    const endpoint = await events.endpoints.get(organizationId);
    if (!endpoint) throw notFound();
    res.json(endpointView(endpoint, await events.log.read(organizationId)));
  });
  router.delete(path, async (req, res) => {
    await events.endpoints.remove(orgOf(req.params));
    res.status(204).end();
  });
  router.post(`${path}/secret`, async (req, res) => {
    const organizationId = orgOf(req.params);
    const { overlapSeconds } = parseOr400(RotateRequest, req.body ?? {}, "body");
    const rotated = await events.endpoints.rotate(organizationId, overlapSeconds * 1000);
    if (!rotated) throw notFound();
    const previous = rotated.endpoint.secrets.find((s) => s.expiresAt !== undefined && s.expiresAt > now());
    res.json({ signingSecret: rotated.signingSecret, ...clean({ previousSecretExpiresAt: iso(previous?.expiresAt) }) });
  });

  router.get("/v1/events", async (req, res) => {
    const query = parseOr400(EventsQuery, req.query, "query");
    const after = decodeCursor(query.after);
    const log = await events.log.read(query.organizationId);
    const page = log ? eventsAfter(log, after, query.limit) : { events: [], truncated: false };
    const last = page.events.at(-1)?.seq ?? Math.max(after, 0);
    res.json({ events: page.events.map((e) => toCloudEvent(events.source, e)), next: encodeCursor(last), truncated: page.truncated });
  });
  return router;
}

function clean<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// The Zoom webhook endpoint (public). Zoom wants an answer within 3 s and retries otherwise.
// Meeting events and deauthorizations are recorded for the booking app (service/events) *before*
// the answer: a 2xx means the event is on the Kubernetes API. Deleting a deauthorized account's
// tokens gets a budget below Zoom's 3 s; everything is idempotent (Zoom's retries repeat it, and
// recorded events are de-duplicated by an id derived from Zoom's event).
import express, { type Router } from "express";
import { z } from "zod";
import type { Logger } from "../../common/logger.ts";
import { WEBHOOK_PATH } from "../../common/tenant/names.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { EventService } from "../events/event-service.ts";
import { ZoomDeauthorization, ZoomMeetingEvent } from "../events/zoom-events.ts";
import { parseOr400 } from "../meetings/request-parsing.ts";
import { parseZoomJson } from "../zoom/zoom-json.ts";
import type { ServiceMetrics } from "../metrics.ts";
import type { MountedSecrets } from "../runtime/mounted-secrets.ts";
import { checkSignature, urlValidationAnswer } from "./signature.ts";

export interface WebhookDeps {
  readonly secrets: MountedSecrets;
  readonly deauthorize: (accountId: string) => Promise<unknown>;
  /** The organizations connected to a Zoom account (any connection state). */
  readonly organizationsOf: (accountId: string) => Promise<string[]>;
  readonly events: Pick<EventService, "recordMeetingEvent" | "recordDeauthorization">;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly now: () => number;
  /** How long the answer may wait for the work (default 2.5 s; the rest finishes in the background). */
  readonly budgetMs?: number;
}

const UrlValidation = z.object({
  event: z.literal("endpoint.url_validation"),
  payload: z.object({ plainToken: z.string().min(1).max(256) }),
});
const Envelope = z.object({ event: z.string() });
const MEETING_EVENTS = new Set<string>(ZoomMeetingEvent.shape.event.options);

export function createWebhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  router.post(WEBHOOK_PATH, express.raw({ type: () => true, limit: "64kb" }), async (req, res) => {
    const secretToken = deps.secrets.current().webhookSecretToken;
    if (!secretToken) throw new ServiceError(ErrorCode.NotFound, "webhooks are not configured for this integration");
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = checkSignature(
      secretToken,
      { timestamp: req.get("x-zm-request-timestamp"), signature: req.get("x-zm-signature") },
      raw,
      deps.now(),
    );
    if (!check.ok) {
      deps.metrics.webhooks.inc({ event: "unknown", result: "refused" });
      deps.log.warn({ reason: check.reason }, "webhook refused");
      throw new ServiceError(ErrorCode.Unauthorized, "the webhook signature is missing, wrong or stale");
    }
    const body = parseJson(raw);
    const kind = Envelope.safeParse(body).data?.event;
    if (kind === "endpoint.url_validation") {
      const { payload } = parseOr400(UrlValidation, body, "body");
      deps.metrics.webhooks.inc({ event: "url_validation", result: "accepted" });
      res.status(200).json(urlValidationAnswer(secretToken, payload.plainToken));
      return;
    }
    if (kind === "app_deauthorized") {
      const event = parseOr400(ZoomDeauthorization, body, "body");
      const accountId = event.payload.account_id;
      await deps.events.recordDeauthorization(event, await deps.organizationsOf(accountId));
      await withinBudget(deps, deps.deauthorize(accountId));
      deps.metrics.webhooks.inc({ event: "app_deauthorized", result: "accepted" });
      res.status(200).json({ received: true });
      return;
    }
    if (kind !== undefined && MEETING_EVENTS.has(kind)) {
      const event = parseOr400(ZoomMeetingEvent, body, "body");
      const organizations = await deps.organizationsOf(event.payload.account_id);
      if (organizations.length > 0 && !(await deps.events.recordMeetingEvent(event, organizations)))
        throw new ServiceError(ErrorCode.BadRequest, "body.payload.object.id: not a meeting id", {
          details: { field: "body.payload.object.id" },
        });
      deps.metrics.webhooks.inc({ event: kind, result: organizations.length > 0 ? "accepted" : "not_connected" });
      res.status(200).json({ received: true });
      return;
    }
    deps.metrics.webhooks.inc({ event: "other", result: "accepted" });
    deps.log.info({ event: kind }, "webhook event ignored");
    res.status(204).end();
  });
  return router;
}

/** Waits for the work up to the budget; a failure within it is an error (Zoom retries), a slow success is not. */
async function withinBudget(deps: WebhookDeps, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), deps.budgetMs ?? 2500);
  });
  const outcome = await Promise.race([work.then(() => "done" as const), late]).finally(() => clearTimeout(timer));
  if (outcome === "late") work.catch((error) => deps.log.error({ err: error }, "deauthorization failed after the webhook was answered"));
}

/** NB: Zoom's meeting ids may exceed 2^53: big integers arrive as strings of their digits. */
function parseJson(raw: Buffer): unknown {
  const parsed = parseZoomJson(raw.toString("utf8"));
  if (!parsed.ok) throw new ServiceError(ErrorCode.BadRequest, "the webhook body is not JSON", { details: { field: "body" } });
  return parsed.value;
}

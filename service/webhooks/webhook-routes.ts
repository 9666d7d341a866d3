// The Zoom webhook endpoint (public). Zoom wants an answer within 3 s and retries otherwise, so the
// work gets a budget below that; deliveries are processed idempotently (retries repeat them).
import express, { type Router } from "express";
import { z } from "zod";
import type { Logger } from "../../common/logger.ts";
import { WEBHOOK_PATH } from "../../common/tenant/names.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { ServiceMetrics } from "../metrics.ts";
import type { MountedSecrets } from "../runtime/mounted-secrets.ts";
import { checkSignature, urlValidationAnswer } from "./signature.ts";

export interface WebhookDeps {
  readonly secrets: MountedSecrets;
  readonly deauthorize: (accountId: string) => Promise<unknown>;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly now: () => number;
  /** How long the answer may wait for the work (default 2.5 s; the rest finishes in the background). */
  readonly budgetMs?: number;
}

const Event = z.discriminatedUnion("event", [
  z.object({ event: z.literal("endpoint.url_validation"), payload: z.object({ plainToken: z.string().min(1).max(256) }) }),
  z.object({ event: z.literal("app_deauthorized"), payload: z.object({ account_id: z.string().min(1), user_id: z.string().optional() }) }),
]);
const Envelope = z.object({ event: z.string() });

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
    const event = Event.safeParse(body);
    if (!event.success) {
      deps.metrics.webhooks.inc({ event: "other", result: "accepted" });
      deps.log.info({ event: Envelope.safeParse(body).data?.event }, "webhook event ignored");
      res.status(204).end();
      return;
    }
    if (event.data.event === "endpoint.url_validation") {
      deps.metrics.webhooks.inc({ event: "url_validation", result: "accepted" });
      res.status(200).json(urlValidationAnswer(secretToken, event.data.payload.plainToken));
      return;
    }
    await withinBudget(deps, deps.deauthorize(event.data.payload.account_id));
    deps.metrics.webhooks.inc({ event: "app_deauthorized", result: "accepted" });
    res.status(200).json({ received: true });
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

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new ServiceError(ErrorCode.BadRequest, "the webhook body is not JSON", { cause: error });
  }
}

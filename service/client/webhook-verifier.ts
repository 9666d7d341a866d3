// For the booking app's receiver: checks a delivery's Standard Webhooks signature (any `v1,`
// entry made with the endpoint's signing secret) and its timestamp (5 minutes either way, so a
// captured delivery cannot be replayed later), then parses the CloudEvent. Self-contained
// (node:crypto only), so a booking app can copy it; any Standard Webhooks library verifies the same.
import { createHmac, timingSafeEqual } from "node:crypto";

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export class WebhookVerificationError extends Error {
  readonly reason: "missing_headers" | "stale" | "bad_signature";
  constructor(reason: WebhookVerificationError["reason"], message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

export interface VerifyOptions {
  /** The endpoint's signing secrets (`whsec_...`): the current one, and the previous during a rotation's overlap. */
  readonly secrets: readonly string[];
  /** Header lookup, e.g. `(name) => req.get(name)`. */
  readonly header: (name: string) => string | undefined;
  /** The raw body exactly as received (verify before parsing). */
  readonly body: string | Buffer;
  readonly nowSeconds?: number;
  readonly toleranceSeconds?: number;
}

/** The event the delivery carries, once its signature and timestamp check out; throws WebhookVerificationError otherwise. */
export function verifyWebhook<T = unknown>(o: VerifyOptions): T {
  const id = o.header("webhook-id");
  const timestamp = o.header("webhook-timestamp");
  const signatures = o.header("webhook-signature");
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp))
    throw new WebhookVerificationError("missing_headers", "webhook-id, webhook-timestamp or webhook-signature is missing");
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (o.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    throw new WebhookVerificationError("stale", "webhook-timestamp is too far from now");
  const body = typeof o.body === "string" ? o.body : o.body.toString("utf8");
  const given = signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  const ok = o.secrets.some((secret) => {
    const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
    const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
  if (!ok) throw new WebhookVerificationError("bad_signature", "no signature matches the endpoint's signing secret");
  return JSON.parse(body) as T;
}

// Zoom's webhook signature (ZOOM.md): `x-zm-signature` = `v0=` + hex HMAC-SHA256(Secret Token,
// `v0:{x-zm-request-timestamp}:{raw body}`), compared timing-safe; timestamps (seconds) more than
// 5 minutes away are refused, so a captured delivery cannot be replayed later.
import { createHmac, timingSafeEqual } from "node:crypto";

export const WEBHOOK_WINDOW_MS = 5 * 60_000;

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing_headers" | "stale" | "bad_signature" };

export function signatureOf(secretToken: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac("sha256", secretToken).update(`v0:${timestamp}:`).update(rawBody).digest("hex")}`;
}

export function checkSignature(
  secretToken: string,
  headers: { timestamp?: string | undefined; signature?: string | undefined },
  rawBody: Buffer,
  now: number,
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "missing_headers" };
  if (Math.abs(now - Number(timestamp) * 1000) > WEBHOOK_WINDOW_MS) return { ok: false, reason: "stale" };
  const expected = Buffer.from(signatureOf(secretToken, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: "bad_signature" };
}

/** The answer to `endpoint.url_validation`. */
export function urlValidationAnswer(secretToken: string, plainToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac("sha256", secretToken).update(plainToken).digest("hex") };
}

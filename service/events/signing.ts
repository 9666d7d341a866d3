// Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-signature` is
// `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`, the key being the
// base64 after the `whsec_` prefix of the signing secret; one entry per live secret, space
// separated, so a receiver holding either secret verifies during a rotation's overlap.
import { createHmac, randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes (the spec asks for 24 to 64). */
export function newSigningSecret(random: (n: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(32).toString("base64")}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

export interface SignedHeaders {
  readonly "webhook-id": string;
  readonly "webhook-timestamp": string;
  readonly "webhook-signature": string;
}

/** The three headers for one delivery; `timestampSeconds` is when it is sent (not when the event happened). */
export function signDelivery(secrets: readonly string[], id: string, timestampSeconds: number, body: string): SignedHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const signatures = secrets.map((s) => `v1,${createHmac("sha256", keyOf(s)).update(`${id}.${timestamp}.${body}`).digest("base64")}`);
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}

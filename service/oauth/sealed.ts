// Authenticated encryption for values that travel through the browser (the start ticket and the
// OAuth `state`): AES-256-GCM with a key derived per purpose from the mounted state key, so a
// ticket can never be replayed as a state (and vice versa), and nothing inside can be read or
// changed by the browser, Zoom or anyone in between.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SealPurpose = "start-ticket" | "oauth-state";

function deriveKey(stateKey: string, purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(stateKey, "utf8"), Buffer.alloc(0), `zoom-integration/${purpose}`, 32));
}

/** `base64url(version | iv | ciphertext | tag)`; the purpose is bound as associated data too. */
export function seal(stateKey: string, purpose: SealPurpose, payload: unknown, random: (n: number) => Buffer = randomBytes): string {
  const iv = random(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(stateKey, purpose), iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString("base64url");
}

/** The payload, or undefined when the value was not sealed by us for this purpose (tampered, truncated, other key). */
export function unseal(stateKey: string, purpose: SealPurpose, sealed: string): unknown {
  const raw = Buffer.from(sealed, "base64url");
  if (raw.length < 1 + IV_BYTES + TAG_BYTES + 1 || raw[0] !== VERSION) return undefined;
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", deriveKey(stateKey, purpose), iv);
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8"));
  } catch {
    return undefined; // authentication failed: the caller reports "invalid state", the cause is not interesting
  }
}

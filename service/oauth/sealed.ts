// Authenticated encryption for values that travel through the browser (the start ticket and the
// OAuth `state`): AES-256-GCM with a key derived per purpose from the mounted state key, so a
// ticket can never be replayed as a state (and vice versa), and nothing inside can be read or
// changed by the browser, Zoom or anyone in between. Each value names the state key that sealed
// it (a key id), so a value sealed before a rotation still opens with the previous key.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** Version 1 had no key id (values sealed before key rotation existed); version 2 has one. */
const LEGACY_VERSION = 1;
const VERSION = 2;
const KEY_ID_BYTES = 6;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SealPurpose = "start-ticket" | "oauth-state";

/** The keys a value may be opened with: the current one, and the one a rotation replaced while it is still accepted. */
export interface StateKeys {
  readonly current: string;
  readonly previous?: string | undefined;
}

function hkdf(stateKey: string, info: string, bytes: number): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(stateKey, "utf8"), Buffer.alloc(0), info, bytes));
}

const deriveKey = (stateKey: string, purpose: SealPurpose) => hkdf(stateKey, `zoom-integration/${purpose}`, 32);

/** A short public id of a state key: derived (so no counter to store), and independent of the encryption keys. */
export function stateKeyId(stateKey: string): Buffer {
  return hkdf(stateKey, "zoom-integration/state-key-id", KEY_ID_BYTES);
}

/** `base64url(version | keyId | iv | ciphertext | tag)`; the purpose and the key id are bound as associated data too. */
export function seal(stateKey: string, purpose: SealPurpose, payload: unknown, random: (n: number) => Buffer = randomBytes): string {
  const keyId = stateKeyId(stateKey);
  const iv = random(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(stateKey, purpose), iv);
  cipher.setAAD(Buffer.concat([Buffer.from(purpose), keyId]));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), keyId, iv, body, cipher.getAuthTag()]).toString("base64url");
}

interface Parsed {
  readonly candidates: readonly string[];
  readonly aad: Buffer;
  readonly iv: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
}

/** Splits a sealed value and picks the keys it may have been sealed with; undefined when it cannot be ours. */
function parse(keys: StateKeys, purpose: SealPurpose, raw: Buffer): Parsed | undefined {
  // NB: a value without a key id was sealed before the upgrade, with the key that is current now.
  const legacy = raw[0] === LEGACY_VERSION;
  if (!legacy && raw[0] !== VERSION) return undefined;
  const idBytes = legacy ? 0 : KEY_ID_BYTES;
  const head = 1 + idBytes + IV_BYTES;
  if (raw.length < head + TAG_BYTES + 1) return undefined;
  const keyId = raw.subarray(1, 1 + idBytes);
  const candidates = legacy
    ? [keys.current]
    : [keys.current, keys.previous].filter((k): k is string => k !== undefined && k !== "" && stateKeyId(k).equals(keyId));
  return {
    candidates,
    aad: Buffer.concat([Buffer.from(purpose), keyId]),
    iv: raw.subarray(1 + idBytes, head),
    body: raw.subarray(head, raw.length - TAG_BYTES),
    tag: raw.subarray(raw.length - TAG_BYTES),
  };
}

function open(stateKey: string, purpose: SealPurpose, p: Parsed): unknown {
  try {
    const decipher = createDecipheriv("aes-256-gcm", deriveKey(stateKey, purpose), p.iv);
    decipher.setAAD(p.aad);
    decipher.setAuthTag(p.tag);
    return JSON.parse(Buffer.concat([decipher.update(p.body), decipher.final()]).toString("utf8"));
  } catch {
    return undefined; // authentication failed: the caller reports "invalid state", the cause is not interesting
  }
}

/**
 * The payload, or undefined when the value was not sealed by us for this purpose (tampered,
 * truncated, or sealed with a key that is no longer accepted).
 */
export function unseal(keys: StateKeys, purpose: SealPurpose, sealed: string): unknown {
  const parsed = parse(keys, purpose, Buffer.from(sealed, "base64url"));
  for (const key of parsed?.candidates ?? []) {
    const payload = open(key, purpose, parsed as Parsed);
    if (payload !== undefined) return payload;
  }
  return undefined;
}

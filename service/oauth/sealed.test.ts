import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { seal, stateKeyId, unseal } from "./sealed.ts";

const oldKey = "the-state-key-before-rotation";
const newKey = "the-state-key-after-rotation";
const payload = { org: "org-1", exp: 1 };

/** A value as the service sealed it before key ids existed (version 1: no key id). */
function sealLegacy(stateKey: string, purpose: string, value: unknown): string {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(stateKey), Buffer.alloc(0), `zoom-integration/${purpose}`, 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, body, cipher.getAuthTag()]).toString("base64url");
}

describe("sealed values across a state-key rotation", () => {
  it("carry the id of the key that sealed them, not the key", () => {
    const raw = Buffer.from(seal(oldKey, "oauth-state", payload), "base64url");
    expect(raw.subarray(1, 7).equals(stateKeyId(oldKey))).toBe(true);
    expect(stateKeyId(oldKey).equals(stateKeyId(newKey))).toBe(false);
    expect(raw.includes(Buffer.from(oldKey))).toBe(false);
  });

  it("open with the previous key after a rotation, and with the current key", () => {
    const before = seal(oldKey, "oauth-state", payload);
    const after = seal(newKey, "oauth-state", payload);
    const rotated = { current: newKey, previous: oldKey };
    expect(unseal(rotated, "oauth-state", before)).toEqual(payload);
    expect(unseal(rotated, "oauth-state", after)).toEqual(payload);
  });

  it("are refused once the key that sealed them is dropped", () => {
    const before = seal(oldKey, "start-ticket", payload);
    expect(unseal({ current: newKey }, "start-ticket", before)).toBeUndefined();
    expect(unseal({ current: newKey, previous: "" }, "start-ticket", before)).toBeUndefined();
  });

  it("are refused with a tampered key id, even one naming the other accepted key", () => {
    const raw = Buffer.from(seal(oldKey, "oauth-state", payload), "base64url");
    const rotated = { current: newKey, previous: oldKey };
    const flipped = Buffer.from(raw);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    const renamed = Buffer.concat([raw.subarray(0, 1), stateKeyId(newKey), raw.subarray(7)]);
    expect(unseal(rotated, "oauth-state", flipped.toString("base64url"))).toBeUndefined();
    expect(unseal(rotated, "oauth-state", renamed.toString("base64url"))).toBeUndefined();
  });

  it("open a value sealed before key ids existed with the current key (upgrades), and only for its purpose", () => {
    const legacy = sealLegacy(oldKey, "oauth-state", payload);
    expect(unseal({ current: oldKey }, "oauth-state", legacy)).toEqual(payload);
    expect(unseal({ current: oldKey }, "start-ticket", legacy)).toBeUndefined();
    expect(unseal({ current: newKey, previous: oldKey }, "oauth-state", legacy)).toBeUndefined();
  });

  it("refuse a value of an unknown version or too short to hold an id, IV and tag", () => {
    const raw = Buffer.from(seal(newKey, "oauth-state", payload), "base64url");
    const unknown = Buffer.from(raw);
    unknown[0] = 3;
    expect(unseal({ current: newKey }, "oauth-state", unknown.toString("base64url"))).toBeUndefined();
    expect(unseal({ current: newKey }, "oauth-state", raw.subarray(0, 30).toString("base64url"))).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { encryptedToken, signWebhook } from "../../test/zoom-emulator/index.ts";
import { checkSignature, urlValidationAnswer } from "./signature.ts";

const secret = "acme-webhook-secret";
const now = Date.parse("2025-03-10T09:00:00Z");
const ts = String(now / 1000);
const body = Buffer.from('{"event":"app_deauthorized","payload":{"account_id":"a"}}');

describe("checkSignature", () => {
  it("accepts what Zoom (the emulator's signer) signs", () => {
    expect(checkSignature(secret, { timestamp: ts, signature: signWebhook(secret, ts, body.toString()) }, body, now)).toEqual({ ok: true });
  });

  it("refuses a forged signature, another secret, a changed body and missing headers", () => {
    const good = signWebhook(secret, ts, body.toString());
    expect(checkSignature(secret, { timestamp: ts, signature: signWebhook("other", ts, body.toString()) }, body, now)).toMatchObject({
      reason: "bad_signature",
    });
    expect(checkSignature(secret, { timestamp: ts, signature: good }, Buffer.from(`${body} `), now)).toMatchObject({
      reason: "bad_signature",
    });
    expect(checkSignature(secret, { timestamp: ts, signature: "v0=short" }, body, now)).toMatchObject({ reason: "bad_signature" });
    expect(checkSignature(secret, { timestamp: undefined, signature: good }, body, now)).toMatchObject({ reason: "missing_headers" });
  });

  it("refuses a correctly signed delivery older than five minutes", () => {
    const old = String(now / 1000 - 301);
    expect(checkSignature(secret, { timestamp: old, signature: signWebhook(secret, old, body.toString()) }, body, now)).toMatchObject({
      reason: "stale",
    });
  });

  it("answers URL validation as Zoom expects", () => {
    expect(urlValidationAnswer(secret, "plain").encryptedToken).toBe(encryptedToken(secret, "plain"));
  });
});

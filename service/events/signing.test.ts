import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhook, type WebhookVerificationError } from "../client/webhook-verifier.ts";
import { newSigningSecret, signDelivery } from "./signing.ts";

// The Standard Webhooks specification's published test vector (also in Svix's documentation).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

/** A verifier written from the specification's text, sharing nothing with the signer or the client. */
function specVerifier(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.split("_")[1]!, "base64");
  const content = [headers["webhook-id"], headers["webhook-timestamp"], body].join(".");
  const expected = `v1,${createHmac("sha256", key).update(content, "utf8").digest("base64")}`;
  return (headers["webhook-signature"] ?? "").split(" ").includes(expected);
}

describe("Standard Webhooks signing", () => {
  it("reproduces the specification's test vector", () => {
    expect(signDelivery([VECTOR.secret], VECTOR.id, VECTOR.timestamp, VECTOR.body)["webhook-signature"]).toBe(VECTOR.signature);
  });

  it("signs deliveries that an independent verifier written from the specification accepts, and only those", () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ specversion: "1.0", id: "evt_1", data: { topic: "Zoom – Ä ✓" } });
    const headers = { ...signDelivery([secret], "evt_1", 1_700_000_000, body) };
    expect(specVerifier(secret, headers, body)).toBe(true);
    expect(specVerifier(secret, headers, body.replace("evt_1", "evt_2"))).toBe(false);
    expect(specVerifier(newSigningSecret(), headers, body)).toBe(false);
    expect(specVerifier(secret, { ...headers, "webhook-timestamp": "1700000001" }, body)).toBe(false);
  });

  it("makes secrets of 32 random bytes behind whsec_, each different", () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(a);
  });

  it("signs with every live secret during a rotation, so a receiver holding either one verifies", () => {
    const [old, current] = [newSigningSecret(), newSigningSecret()];
    const headers = { ...signDelivery([current, old], "evt_9", 1_700_000_000, "{}") };
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(specVerifier(old, headers, "{}")).toBe(true);
    expect(specVerifier(current, headers, "{}")).toBe(true);
  });
});

describe("the client's verifier", () => {
  const header = (h: Record<string, string>) => (name: string) => h[name];

  it("accepts the specification's test vector and parses the body", () => {
    const h = { "webhook-id": VECTOR.id, "webhook-timestamp": String(VECTOR.timestamp), "webhook-signature": VECTOR.signature };
    expect(verifyWebhook({ secrets: [VECTOR.secret], header: header(h), body: VECTOR.body, nowSeconds: VECTOR.timestamp })).toEqual({
      test: 2432232314,
    });
  });

  it("refuses a wrong secret, a changed body, a stale timestamp and missing headers, naming why", () => {
    const secret = newSigningSecret();
    const h = { ...signDelivery([secret], "evt_1", 1_700_000_000, "{}") };
    const verify = (o: Partial<Parameters<typeof verifyWebhook>[0]>) => {
      try {
        verifyWebhook({ secrets: [secret], header: header(h), body: "{}", nowSeconds: 1_700_000_000, ...o });
        return "accepted";
      } catch (error) {
        return (error as WebhookVerificationError).reason;
      }
    };
    expect(verify({})).toBe("accepted");
    expect(verify({ secrets: [newSigningSecret()] })).toBe("bad_signature");
    expect(verify({ body: "{ }" })).toBe("bad_signature");
    expect(verify({ nowSeconds: 1_700_000_000 + 301 })).toBe("stale");
    expect(verify({ header: header({ "webhook-id": "evt_1" }) })).toBe("missing_headers");
  });
});

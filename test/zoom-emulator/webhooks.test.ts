import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encryptedToken, signWebhook, type ZoomEmulator } from "./index.ts";
import { startFrozen } from "./test-kit.ts";

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let zoom: ZoomEmulator;
let target: Server;
let targetUrl: string;
const received: Received[] = [];
/** What the fake booking app answers; tests swap it. */
let answer: (body: string) => { status: number; body: string } = () => ({ status: 204, body: "" });

beforeEach(async () => {
  received.length = 0;
  answer = () => ({ status: 204, body: "" });
  target = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ headers: req.headers, body });
      const reply = answer(body);
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/zoom/webhook`;
  zoom = await startFrozen();
});
afterEach(async () => {
  await zoom.close();
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

/** Verifies as ZOOM.md tells the service to: v0:{timestamp}:{raw body}, HMAC-SHA256 with the Secret Token. */
function verified(message: Received, secretToken: string): boolean {
  const timestamp = String(message.headers["x-zm-request-timestamp"]);
  const expected = `v0=${createHmac("sha256", secretToken).update(`v0:${timestamp}:${message.body}`).digest("hex")}`;
  return message.headers["x-zm-signature"] === expected;
}

describe("endpoint.url_validation", () => {
  it("is signed with the app's Secret Token and validated by an answer of plainToken and its HMAC", async () => {
    answer = (body) => {
      const plainToken = JSON.parse(body).payload.plainToken as string;
      return { status: 200, body: JSON.stringify({ plainToken, encryptedToken: encryptedToken("acme-webhook-secret", plainToken) }) };
    };
    const result = await zoom.webhooks.sendUrlValidation("acme-client", { url: targetUrl, plainToken: "plain-1" });
    expect(result).toMatchObject({ status: 200, acknowledged: true, validated: true });
    const message = received[0]!;
    expect(JSON.parse(message.body)).toEqual({
      payload: { plainToken: "plain-1" },
      event_ts: zoom.clock.now(),
      event: "endpoint.url_validation",
    });
    expect(message.headers["x-zm-request-timestamp"]).toBe(String(zoom.clock.now() / 1000));
    expect(verified(message, "acme-webhook-secret")).toBe(true);
    expect(verified(message, "acme-secret")).toBe(false);
  });

  it("fails validation when the answer uses the client secret as the key", async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ plainToken: "p", encryptedToken: encryptedToken("acme-secret", "p") }) });
    expect((await zoom.webhooks.sendUrlValidation("acme-client", { url: targetUrl, plainToken: "p" })).validated).toBe(false);
  });

  it("is sent again 72 hours after the last validation", async () => {
    await zoom.webhooks.sendUrlValidation("acme-client", { url: targetUrl });
    zoom.clock.advance(72 * 3_600_000 - 1);
    expect(await zoom.webhooks.runDue()).toHaveLength(0);
    zoom.clock.advance(1);
    expect((await zoom.webhooks.runDue()).map((d) => d.event)).toEqual(["endpoint.url_validation"]);
    expect(received).toHaveLength(2);
  });
});

describe("app_deauthorized", () => {
  it("carries account, user, client and time, signed like every event", async () => {
    const delivery = await zoom.webhooks.sendDeauthorized(
      "acme-client",
      { accountId: "acme-account", userId: "acme-admin" },
      { url: targetUrl },
    );
    expect(delivery.acknowledged).toBe(true);
    const event = JSON.parse(received[0]!.body);
    expect(event).toEqual({
      event: "app_deauthorized",
      event_ts: zoom.clock.now(),
      payload: {
        account_id: "acme-account",
        user_id: "acme-admin",
        client_id: "acme-client",
        deauthorization_time: "2025-03-10T09:00:00.000Z",
        user_data_retention: "false",
      },
    });
    expect(verified(received[0]!, "acme-webhook-secret")).toBe(true);
  });
});

describe("delivery", () => {
  it("retries an unacknowledged event 5, 20 and 60 minutes later, then gives up", async () => {
    answer = () => ({ status: 500, body: "" });
    await zoom.webhooks.sendDeauthorized("acme-client", { accountId: "acme-account", userId: "acme-admin" }, { url: targetUrl });
    zoom.clock.advance(4 * 60_000);
    expect(await zoom.webhooks.runDue()).toHaveLength(0);
    for (const minutes of [1, 15, 40]) {
      zoom.clock.advance(minutes * 60_000);
      expect((await zoom.webhooks.runDue()).map((d) => d.status)).toEqual([500]);
    }
    zoom.clock.advance(24 * 3_600_000);
    expect(await zoom.webhooks.runDue()).toHaveLength(0);
    expect(zoom.inspect().webhookDeliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
  });

  it("records a target that does not answer in time as a timeout", async () => {
    answer = () => ({ status: 200, body: "" });
    target.removeAllListeners("request");
    target.on("request", () => undefined);
    await zoom.close();
    zoom = await startFrozen({ webhookTimeoutMs: 50 });
    const delivery = await zoom.webhooks.sendDeauthorized("acme-client", { accountId: "a", userId: "u" }, { url: targetUrl });
    expect([delivery.status, delivery.acknowledged]).toEqual(["timeout", false]);
  });

  it("can sign with a stale timestamp or a wrong key, for testing the receiver's checks", async () => {
    const stale = zoom.clock.now() - 6 * 60_000;
    await zoom.webhooks.sendDeauthorized("acme-client", { accountId: "a", userId: "u" }, { url: targetUrl, signedAt: stale });
    await zoom.webhooks.sendDeauthorized("acme-client", { accountId: "a", userId: "u" }, { url: targetUrl, secretToken: "acme-secret" });
    expect(received[0]?.headers["x-zm-request-timestamp"]).toBe(String(stale / 1000));
    expect(verified(received[0]!, "acme-webhook-secret")).toBe(true);
    expect(verified(received[1]!, "acme-webhook-secret")).toBe(false);
  });

  it("signs as Zoom documents: v0= and the hex HMAC of v0:{timestamp}:{body}", () => {
    const expected = createHmac("sha256", "k").update("v0:1700000000:{}").digest("hex");
    expect(signWebhook("k", "1700000000", "{}")).toBe(`v0=${expected}`);
  });
});

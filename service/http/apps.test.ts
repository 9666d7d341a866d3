import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createLogger } from "../../common/logger.ts";
import { signWebhook } from "../../test/zoom-emulator/index.ts";
import { WEBHOOK_PATH } from "../../common/tenant/names.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import { BODY_LIMIT_BYTES } from "../meetings/request-parsing.ts";
import { createMetrics } from "../metrics.ts";
import { staticSecrets } from "../runtime/mounted-secrets.ts";
import { createWebhookRouter } from "../webhooks/webhook-routes.ts";
import { createApiApp, createMetricsApp, createPublicApp } from "./apps.ts";

const log = createLogger({ level: "silent", name: "test" });
const secrets = staticSecrets({ clientId: "c", clientSecret: "s", apiToken: "the-api-token", stateKey: "k", webhookSecretToken: "whsec" });
const deauthorized: string[] = [];
const recorded: { event: string; orgs: readonly string[]; meetingId?: string }[] = [];
let api = "";
let pub = "";
const servers: { close(): void }[] = [];

beforeAll(async () => {
  const metrics = createMetrics();
  const router = express.Router();
  router.post("/v1/things", (req) => {
    z.object({ when: z.object({ day: z.string() }) }).parse(req.body);
  });
  router.post("/v1/echo", (req, res) => {
    res.json({ keys: Object.keys(req.body ?? {}) });
  });
  router.get("/v1/boom", () => {
    throw new Error("database password is hunter2");
  });
  router.get("/v1/items/:id", (req, res) => {
    res.json({ id: req.params["id"] });
  });
  router.get("/v1/busy", () => {
    throw new ServiceError(ErrorCode.ZoomRateLimited, "slow down", { retryAfterSeconds: 7 });
  });
  const apiApp = createApiApp({
    log,
    metrics,
    apiToken: () => secrets.current().apiToken,
    healthy: () => true,
    ready: async () => false,
    routers: [router],
  });
  const webhook = createWebhookRouter({
    secrets,
    deauthorize: async (a) => void deauthorized.push(a),
    organizationsOf: async (accountId) => (accountId === "acct-1" ? ["org-1"] : []),
    events: {
      recordMeetingEvent: async (e, orgs) => {
        recorded.push({ event: e.event, orgs, meetingId: String(e.payload.object.id) });
        return true;
      },
      recordDeauthorization: async (e, orgs) => void recorded.push({ event: e.event, orgs }),
    },
    metrics,
    log,
    now: Date.now,
  });
  const publicApp = createPublicApp({ log, metrics, routers: [webhook] });
  for (const [app, set] of [
    [apiApp, (u: string) => (api = u)],
    [publicApp, (u: string) => (pub = u)],
  ] as const) {
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    servers.push(server);
    set(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});
afterAll(() => {
  for (const s of servers) s.close();
});

const auth = { authorization: "Bearer the-api-token", "content-type": "application/json" };

describe("the internal API's edges", () => {
  it("refuses a missing or wrong bearer token with 401 UNAUTHORIZED", async () => {
    for (const headers of [{}, { authorization: "Bearer the-api-tokeN" }, { authorization: "Basic x" }]) {
      const res = await fetch(`${api}/v1/busy`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED", requestId: expect.any(String) });
    }
  });

  it("names the Bearer scheme in every 401 (RFC 9110), with invalid_token when a token was sent", async () => {
    const missing = await fetch(`${api}/v1/busy`);
    const wrong = await fetch(`${api}/v1/busy`, { headers: { authorization: "Bearer nope" } });
    expect([missing.status, missing.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="zoom-integration"']);
    expect([wrong.status, wrong.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="zoom-integration", error="invalid_token"']);
  });

  it("holds the documented body limit exactly: 16 KiB is parsed, one byte more is 413 naming body", async () => {
    const sized = (bytes: number) => {
      const body = '{"a":1}';
      return body.slice(0, -1) + " ".repeat(bytes - body.length) + "}";
    };
    expect(Buffer.byteLength(sized(BODY_LIMIT_BYTES))).toBe(16 * 1024);
    const at = await fetch(`${api}/v1/echo`, { method: "POST", headers: auth, body: sized(BODY_LIMIT_BYTES) });
    expect([at.status, await at.json()]).toEqual([200, { keys: ["a"] }]);
    const over = await fetch(`${api}/v1/echo`, { method: "POST", headers: auth, body: sized(BODY_LIMIT_BYTES + 1) });
    expect([over.status, ((await over.json()) as { code: string; details: unknown }).details]).toEqual([413, { field: "body" }]);
  });

  it("refuses a body that is not application/json, or not UTF-8, naming what to change", async () => {
    const post = (type: string) => fetch(`${api}/v1/echo`, { method: "POST", headers: { ...auth, "content-type": type }, body: '{"a":1}' });
    const text = await post("text/plain");
    expect([text.status, ((await text.json()) as { details: unknown }).details]).toEqual([400, { field: "header.content-type" }]);
    const latin1 = await post("application/json; charset=latin1");
    expect([latin1.status, ((await latin1.json()) as { message: string }).message]).toEqual([
      400,
      "body: send UTF-8 JSON without a content encoding",
    ]);
    const empty = await fetch(`${api}/v1/echo`, { method: "POST", headers: { authorization: auth.authorization } });
    expect([empty.status, await empty.json()]).toEqual([200, { keys: [] }]);
  });

  it("answers a broken %-escape in a path parameter with 400 naming the path, not a 500", async () => {
    const res = await fetch(`${api}/v1/items/%E0%A4`, { headers: auth });
    expect([res.status, ((await res.json()) as { details: unknown }).details]).toEqual([400, { field: "path" }]);
  });

  it("answers a zod failure with 400 BAD_REQUEST naming the field path", async () => {
    const res = await fetch(`${api}/v1/things`, { method: "POST", headers: auth, body: JSON.stringify({ when: { day: 3 } }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "BAD_REQUEST", details: { field: "when.day" } });
  });

  it("answers malformed JSON with 400 and an unknown error with a 500 that leaks nothing", async () => {
    expect((await fetch(`${api}/v1/things`, { method: "POST", headers: auth, body: "{" })).status).toBe(400);
    const res = await fetch(`${api}/v1/boom`, { headers: auth });
    const body = await res.json();
    expect(res.status).toBe(500);
    expect(body).toEqual({ code: "INTERNAL", message: "internal error", requestId: res.headers.get("x-request-id") });
  });

  it("passes a ServiceError's status, code and Retry-After through", async () => {
    const res = await fetch(`${api}/v1/busy`, { headers: auth });
    expect([res.status, res.headers.get("retry-after"), ((await res.json()) as { code: string }).code]).toEqual([
      503,
      "7",
      "ZOOM_RATE_LIMITED",
    ]);
  });

  it("serves probes and metrics without a token; readiness follows its check", async () => {
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect((await fetch(`${api}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${api}/metrics`)).text()).toContain("zio_service_http_requests_total");
  });
});

describe("the webhook endpoint", () => {
  const post = (body: string, ts: string, signature: string) =>
    fetch(`${pub}${WEBHOOK_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-zm-request-timestamp": ts, "x-zm-signature": signature },
      body,
    });

  it("answers URL validation and processes app_deauthorized idempotently", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const validation = JSON.stringify({ event: "endpoint.url_validation", payload: { plainToken: "abc" } });
    const res = await post(validation, ts, signWebhook("whsec", ts, validation));
    expect(await res.json()).toMatchObject({ plainToken: "abc", encryptedToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const deauth = JSON.stringify({ event: "app_deauthorized", payload: { account_id: "acct-1", user_id: "u" } });
    for (let i = 0; i < 2; i++) expect((await post(deauth, ts, signWebhook("whsec", ts, deauth))).status).toBe(200);
    expect(deauthorized).toEqual(["acct-1", "acct-1"]);
  });

  it("records meeting events (big ids intact) before answering, and names a malformed one's field", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const body = '{"event":"meeting.updated","event_ts":1,"payload":{"account_id":"acct-1","object":{"id":98765432109876543,"topic":"x"}}}';
    expect((await post(body, ts, signWebhook("whsec", ts, body))).status).toBe(200);
    expect(recorded.at(-1)).toEqual({ event: "meeting.updated", orgs: ["org-1"], meetingId: "98765432109876543" });
    const bad = JSON.stringify({ event: "meeting.ended", event_ts: 1, payload: { object: { id: 1 } } });
    const refused = await post(bad, ts, signWebhook("whsec", ts, bad));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "BAD_REQUEST", details: { field: "body.payload.account_id" } });
    const foreign = JSON.stringify({ event: "meeting.started", event_ts: 1, payload: { account_id: "other", object: { id: 5 } } });
    expect((await post(foreign, ts, signWebhook("whsec", ts, foreign))).status).toBe(200);
    expect(recorded.filter((r) => r.event.startsWith("meeting."))).toHaveLength(1); // not the foreign account's
  });

  it("refuses forged and stale deliveries with 401", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const body = JSON.stringify({ event: "app_deauthorized", payload: { account_id: "acct-2" } });
    expect((await post(body, ts, signWebhook("forged", ts, body))).status).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 600);
    expect((await post(body, old, signWebhook("whsec", old, body))).status).toBe(401);
    expect(deauthorized).not.toContain("acct-2");
  });
});

describe("the metrics app", () => {
  it("serves /metrics and nothing else, so opening its port to Prometheus opens no API", async () => {
    const metrics = createMetrics();
    metrics.refreshes.inc({ result: "success" });
    const server = createMetricsApp(metrics).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('zio_service_token_refreshes_total{result="success"} 1');
      for (const path of ["/v1/meetings", "/readyz", "/openapi.json"]) expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    } finally {
      server.close();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { api, connect, refresh, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  zoom = await startFrozen();
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

const ME = "GET /v2/users/{userId}";

describe("scripted faults", () => {
  it("answer a 5xx for the scripted number of requests, then the route works again", async () => {
    zoom.faults.inject(ME, { kind: "status", status: 503 }, { times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(zoom, token, "GET", "/users/me")).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("answer a non-JSON body: HTML by default, or an empty body", async () => {
    zoom.faults.inject(ME, { kind: "nonJson" }, { times: 1 });
    zoom.faults.inject(ME, { kind: "nonJson", status: 500, body: "", contentType: "application/json" }, { times: 1 });
    const html = await api(zoom, token, "GET", "/users/me");
    expect([html.status, html.headers.get("content-type"), html.json]).toEqual([502, "text/html;charset=UTF-8", undefined]);
    expect(html.text).toContain("<html>");
    const empty = await api(zoom, token, "GET", "/users/me");
    expect([empty.status, empty.text]).toEqual([500, ""]);
  });

  it("answer a 429 with Retry-After in seconds, as an ISO time, or without it", async () => {
    zoom.faults.inject(ME, { kind: "rateLimit" }, { times: 1 });
    zoom.faults.inject(ME, { kind: "rateLimit", type: "Daily-limit", retryAfter: "2025-03-11T00:00:00Z" }, { times: 1 });
    zoom.faults.inject(ME, { kind: "rateLimit", retryAfter: null }, { times: 1 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await api(zoom, token, "GET", "/users/me"));
    expect(answers.map((a) => a.status)).toEqual([429, 429, 429]);
    expect(answers.map((a) => a.headers.get("retry-after"))).toEqual(["1", "2025-03-11T00:00:00Z", null]);
    expect(answers[1]?.headers.get("x-ratelimit-type")).toBe("Daily-limit");
  });

  it("reset the connection before handling: the refresh did not happen", async () => {
    const { refresh: token2 } = await connect(zoom);
    zoom.faults.inject("POST /oauth/token", { kind: "reset" }, { times: 1 });
    await expect(refresh(zoom, token2)).rejects.toThrow();
    expect((await refresh(zoom, token2)).status).toBe(200);
  });

  it("never answer, until the client gives up", async () => {
    zoom.faults.inject(ME, { kind: "noAnswer" }, { times: 1 });
    const call = fetch(`${zoom.url}/v2/users/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(50) });
    await expect(call).rejects.toThrow(/timeout|aborted/i);
  });

  it("delay a request by the scripted latency, then answer normally", async () => {
    zoom.faults.inject(ME, { kind: "latency", ms: 10 }, { times: 1 });
    const started = performance.now();
    expect((await api(zoom, token, "GET", "/users/me")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(9);
  });

  it("apply to every route with '*', and clear() removes them", async () => {
    zoom.faults.inject("*", { kind: "status", status: 500 });
    expect((await api(zoom, token, "GET", "/users/me")).status).toBe(500);
    expect((await api(zoom, token, "GET", "/meetings/1")).status).toBe(500);
    zoom.faults.clear();
    expect((await api(zoom, token, "GET", "/users/me")).status).toBe(200);
  });
});

describe("inspection", () => {
  it("counts requests per route, faulted ones included", async () => {
    zoom.faults.inject(ME, { kind: "status", status: 500 }, { times: 1 });
    await api(zoom, token, "GET", "/users/me");
    await api(zoom, token, "GET", "/users/me");
    await api(zoom, token, "GET", "/nowhere");
    expect(zoom.inspect().requestsPerRoute).toEqual({ "POST /oauth/token": 1, [ME]: 2, unmatched: 1 });
  });
});

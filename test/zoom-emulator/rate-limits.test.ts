import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAILY_LIMIT_MESSAGE, PER_SECOND_MESSAGE, type ZoomEmulator } from "./index.ts";
import { api, type Answer, connect, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  // 23:59:00 UTC, so the daily reset is one minute away.
  zoom = await startFrozen({ clock: { frozenAt: "2025-03-10T23:59:00Z" } });
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

async function repeat(times: number, call: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < times; i++) answers.push(await call());
  return answers;
}

describe("per-second limits per account", () => {
  it("allow 30 light requests a second on a Pro account, then answer 429 with QPS headers", async () => {
    const answers = await repeat(31, () => api(zoom, token, "GET", "/users/me"));
    expect(answers.slice(0, 30).every((a) => a.status === 200)).toBe(true);
    const limited = answers[30];
    expect(limited?.status).toBe(429);
    expect(limited?.json).toEqual({ code: 429, message: PER_SECOND_MESSAGE });
    expect(limited?.headers.get("x-ratelimit-type")).toBe("QPS");
    expect(limited?.headers.get("x-ratelimit-category")).toBe("Light");
    expect(limited?.headers.get("x-ratelimit-limit")).toBe("30");
  });

  it("start again in the next second on the emulator clock", async () => {
    await repeat(31, () => api(zoom, token, "GET", "/users/me"));
    zoom.clock.advance(1000);
    expect((await api(zoom, token, "GET", "/users/me")).status).toBe(200);
  });

  it("count medium requests (create meeting, list users) apart from light ones: 20 a second on Pro", async () => {
    const creates = await repeat(20, () => api(zoom, token, "POST", "/users/me/meetings", MEETING));
    expect(creates.every((a) => a.status === 201)).toBe(true);
    const listed = await api(zoom, token, "GET", "/users");
    expect([listed.status, listed.headers.get("x-ratelimit-category")]).toEqual([429, "Medium"]);
    expect((await api(zoom, token, "GET", "/users/me")).status).toBe(200);
  });

  it("are shared by every app the account installed", async () => {
    const granular = (await connect(zoom, "admin@acme.example", "acme-granular-client")).access;
    await repeat(15, () => api(zoom, token, "GET", "/users/me"));
    const answers = await repeat(16, () => api(zoom, granular, "GET", "/users/me"));
    expect(answers.map((a) => a.status).filter((s) => s === 429)).toHaveLength(1);
  });

  it("are higher on a Business account (80 light a second)", async () => {
    const globex = (await connect(zoom, "admin@globex.example", "globex-client")).access;
    const answers = await repeat(81, () => api(zoom, globex, "GET", "/users/me"));
    expect(answers.findIndex((a) => a.status === 429)).toBe(80);
  });
});

describe("the daily limit of 100 meeting creates and updates per host", () => {
  async function spendDailyBudget(): Promise<string> {
    let id = "";
    for (let i = 0; i < 100; i++) {
      zoom.clock.advance(100); // NB: stays under the per-second limit (10 a second) and before midnight.
      const reply =
        i < 50
          ? await api(zoom, token, "POST", "/users/me/meetings", MEETING)
          : await api(zoom, token, "PATCH", `/meetings/${id}`, { topic: `t${i}` });
      expect(reply.status).toBe(i < 50 ? 201 : 204);
      if (i === 0) id = rawId(reply.text);
    }
    return id;
  }

  it("answers the 101st with Zoom's daily 429 body and headers, Retry-After as an ISO time", async () => {
    const id = await spendDailyBudget();
    const limited = await api(zoom, token, "PATCH", `/meetings/${id}`, { topic: "one more" });
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ code: 429, message: DAILY_LIMIT_MESSAGE });
    expect(limited.headers.get("x-ratelimit-type")).toBe("Daily-limit");
    expect(limited.headers.get("retry-after")).toBe("2025-03-11T00:00:00Z");
    expect((await api(zoom, token, "POST", "/users/me/meetings", MEETING)).status).toBe(429);
  });

  it("counts per host user, and reads and deletes do not count", async () => {
    const id = await spendDailyBudget();
    expect((await api(zoom, token, "GET", `/meetings/${id}`)).status).toBe(200);
    expect((await api(zoom, token, "POST", "/users/acme-member/meetings", MEETING)).status).toBe(201);
  });

  it("resets at 00:00 UTC", async () => {
    await spendDailyBudget();
    zoom.clock.set("2025-03-11T00:00:00Z");
    token = (await connect(zoom)).access;
    expect((await api(zoom, token, "POST", "/users/me/meetings", MEETING)).status).toBe(201);
  });
});

describe("switching limits off", () => {
  it("lets a benchmark run without per-second or daily limits", async () => {
    await zoom.close();
    zoom = await startFrozen({ behaviour: { rateLimits: false } });
    token = (await connect(zoom)).access;
    const answers = await repeat(40, () => api(zoom, token, "GET", "/users/me"));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});

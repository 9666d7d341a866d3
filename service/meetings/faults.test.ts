import { afterEach, describe, expect, it } from "vitest";
import { type Fault, startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { ErrorCode } from "../errors.ts";
import { failureOf, startTestService, type TestService, TEST_BOOKING } from "../../test/support/meetings-support.ts";

const BOOKING = TEST_BOOKING;
const CREATE = "POST /v2/users/{userId}/meetings";
const GET = "GET /v2/meetings/{meetingId}";

let zoom: ZoomEmulator;
let service: TestService;
async function start(): Promise<void> {
  zoom = await startZoomEmulator({ clock: { frozenAt: "2025-09-01T08:00:00Z" } });
  service = await startTestService(zoom, { zoomApi: { timeouts: { headersMs: 300 } } });
}
afterEach(async () => {
  await service.close();
  await zoom.close();
});

const liveMeetings = () => zoom.inspect().meetings.filter((m) => !m.deleted).length;

const failure = failureOf;

describe("a create under one injected upstream fault", () => {
  const transient: { name: string; fault: Fault }[] = [
    { name: "latency", fault: { kind: "latency", ms: 50 } },
    { name: "a 500 with Zoom's JSON body", fault: { kind: "status", status: 500 } },
    { name: "a per-second 429", fault: { kind: "rateLimit", type: "QPS" } },
    { name: "a per-second 429 without Retry-After", fault: { kind: "rateLimit", type: "QPS", retryAfter: null } },
    { name: "an HTML 502 from a gateway", fault: { kind: "nonJson" } },
    { name: "an empty 200 body", fault: { kind: "nonJson", status: 201, body: "", contentType: "application/json" } },
    { name: "a connection reset before handling", fault: { kind: "reset" } },
    { name: "a lost response after Zoom created the meeting", fault: { kind: "dropResponse" } },
    { name: "no answer until the timeout", fault: { kind: "noAnswer" } },
  ];
  for (const c of transient)
    it(`survives ${c.name} with 201 and exactly one meeting`, async () => {
      await start();
      zoom.faults.inject(CREATE, c.fault, { times: 1 });
      const meeting = await service.client.createMeeting(BOOKING);
      expect(meeting.id).toBe(zoom.inspect().meetings[0]?.id);
      expect(liveMeetings()).toBe(1);
      expect((await service.client.createMeeting(BOOKING)).id).toBe(meeting.id);
    });

  const lasting: { name: string; fault: Fault; status: number; code: string }[] = [
    { name: "5xx", fault: { kind: "status", status: 503 }, status: 502, code: ErrorCode.ZoomUnavailable },
    { name: "non-JSON bodies", fault: { kind: "nonJson" }, status: 502, code: ErrorCode.ZoomBadResponse },
    { name: "per-second 429s", fault: { kind: "rateLimit", type: "QPS" }, status: 503, code: ErrorCode.ZoomRateLimited },
    { name: "resets", fault: { kind: "reset" }, status: 502, code: ErrorCode.ZoomUnavailable },
  ];
  for (const c of lasting)
    it(`answers lasting ${c.name} with ${c.status} ${c.code}, creates nothing, and lets a later retry create once`, async () => {
      await start();
      zoom.faults.inject(CREATE, c.fault);
      const error = await failure(service.client.createMeeting(BOOKING));
      expect([error.status, error.code]).toEqual([c.status, c.code]);
      expect(liveMeetings()).toBe(0);
      zoom.faults.clear();
      await service.client.createMeeting(BOOKING);
      expect(liveMeetings()).toBe(1);
    });

  it("answers Zoom's daily-limit 429 with 429 ZOOM_DAILY_LIMIT until 00:00 UTC and does not retry it", async () => {
    await start();
    zoom.faults.inject(CREATE, { kind: "rateLimit", type: "Daily-limit" });
    const error = await failure(service.client.createMeeting(BOOKING));
    expect([error.status, error.code, error.retryAfterSeconds]).toEqual([429, ErrorCode.ZoomDailyLimit, 16 * 3600]);
    expect(error.details).toMatchObject({ resetAt: "2025-09-02T00:00:00.000Z" });
    expect(zoom.inspect().requestsPerRoute[CREATE]).toBe(1);
  });
});

describe("other calls under faults", () => {
  it("retries a read after a 503 and a reset", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    zoom.faults.inject(GET, { kind: "status", status: 503 }, { times: 1 });
    zoom.faults.inject(GET, { kind: "reset" }, { times: 1 });
    expect((await service.client.getMeeting("acme", created.id)).id).toBe(created.id);
  });

  it("answers a read that keeps getting HTML with 502 ZOOM_BAD_RESPONSE", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    zoom.faults.inject(GET, { kind: "nonJson", status: 200, body: "<xml/>", contentType: "text/xml" });
    const error = await failure(service.client.getMeeting("acme", created.id));
    expect([error.status, error.code]).toEqual([502, ErrorCode.ZoomBadResponse]);
  });

  it("counts a cancellation whose answer was lost as done", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    zoom.faults.inject("DELETE /v2/meetings/{meetingId}", { kind: "dropResponse" }, { times: 1 });
    await service.client.deleteMeeting("acme", created.id);
    expect(liveMeetings()).toBe(0);
  });
});

describe("the daily cap and the grant", () => {
  it("reports the host's real 101st create of the day as 429 ZOOM_DAILY_LIMIT with Retry-After at 00:00 UTC", async () => {
    await start();
    for (let i = 0; i < 100; i++) {
      await service.client.createMeeting({ ...BOOKING, bookingId: `b-${i}` });
      zoom.clock.advance(1_000);
    }
    const error = await failure(service.client.createMeeting({ ...BOOKING, bookingId: "b-100" }));
    expect([error.status, error.code]).toEqual([429, ErrorCode.ZoomDailyLimit]);
    expect(error.retryAfterSeconds).toBe(16 * 3600 - 100);
    expect(liveMeetings()).toBe(100);
    zoom.clock.set("2025-09-02T00:00:01Z");
    expect((await service.client.createMeeting({ ...BOOKING, bookingId: "b-100" })).id).toMatch(/^\d+$/);
  });

  it("refreshes an expired access token once and goes on", async () => {
    await start();
    zoom.clock.advance(61 * 60_000);
    await service.client.createMeeting(BOOKING);
    expect(service.tokens.refreshes).toBe(1);
  });

  it("answers a freshly refreshed token refused again (124 twice) with a retryable 502, never 'reconnect'", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    const refused = { kind: "status", status: 401, body: '{"code":124,"message":"Access token is expired."}' } as const;
    zoom.faults.inject(GET, refused, { times: 2 });
    const error = await failure(service.client.getMeeting("acme", created.id));
    expect([error.status, error.code, error.retryAfterSeconds]).toEqual([502, ErrorCode.ZoomUnavailable, 1]);
    expect(service.tokens.refreshes).toBe(1);
    expect((await service.client.getMeeting("acme", created.id)).id).toBe(created.id);
  });

  it("tells the booking app that a revoked connection needs reauthorization", async () => {
    await start();
    const grant = zoom.inspect().grants[0];
    zoom.revokeGrant(grant?.id ?? "");
    const error = await failure(service.client.createMeeting(BOOKING));
    expect([error.status, error.code]).toEqual([409, ErrorCode.ReauthorizationRequired]);
    expect(error.message).toMatch(/connect Zoom again/);
    expect(liveMeetings()).toBe(0);
    const again = await failure(service.client.createMeeting(BOOKING));
    expect(again.code).toBe(ErrorCode.ReauthorizationRequired);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { failureOf, startTestService, type TestService, TEST_BOOKING } from "../../test/support/meetings-support.ts";
import { ErrorCode } from "../errors.ts";
import type { IdempotencyTiming } from "./idempotent-create.ts";

// The recovery after a lost create answer (recovery.ts) at the scale chaos scenario 4 reached: a host
// with thousands of scheduled meetings, and a create Zoom handles only after our timeout.
const CREATE = "POST /v2/users/{userId}/meetings";
const LIST = "GET /v2/users/{userId}/meetings";

let zoom: ZoomEmulator;
let service: TestService;
afterEach(async () => {
  await service?.close();
  await zoom?.close();
});

async function start(headersMs: number, timing: Partial<IdempotencyTiming> = {}): Promise<void> {
  zoom = await startZoomEmulator({ clock: { frozenAt: "2025-09-01T08:00:00Z" }, behaviour: { rateLimits: false } });
  service = await startTestService(zoom, { zoomApi: { timeouts: { headersMs } }, timing });
}

const meetingsOf = (topic: string) => zoom.inspect().meetings.filter((m) => !m.deleted && m.topic === topic);

/** `count` other bookings of the same host, spread over the weeks after the booking under test. */
async function fillCalendar(count: number): Promise<void> {
  const first = Date.UTC(2025, 8, 2, 6);
  for (let i = 0; i < count; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) => {
        const n = i + j;
        const startLocal = new Date(first + n * 45 * 60_000).toISOString().slice(0, 16);
        return service.client.createMeeting({ ...TEST_BOOKING, bookingId: `other-${n}`, topic: `Other ${n}`, startLocal, timeZone: "UTC" });
      }),
    );
}

describe("recovering a create whose answer was lost", () => {
  it("finds the meeting among a host's 2,000 scheduled meetings instead of creating a second one", async () => {
    await start(2_000);
    await fillCalendar(2_000);
    zoom.faults.inject(CREATE, { kind: "dropResponse" }, { times: 1 });
    const meeting = await service.client.createMeeting(TEST_BOOKING);
    expect(meetingsOf(TEST_BOOKING.topic).map((m) => m.id)).toEqual([meeting.id]);
  }, 120_000);

  it("finds a meeting Zoom created after our request had timed out, instead of creating a second one", async () => {
    // handled 2.5 s after it arrived, 2.2 s after the 300 ms header timeout gave up on it: within the settle
    await start(300, { settleMs: 3_000 });
    zoom.faults.inject(CREATE, { kind: "latency", ms: 2_500 }, { times: 1 });
    const meeting = await service.client.createMeeting(TEST_BOOKING);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(meetingsOf(TEST_BOOKING.topic).map((m) => m.id)).toEqual([meeting.id]);
  });

  it("leaves the claim pending (409 IDEMPOTENCY_IN_PROGRESS, Retry-After) when the search cannot finish, and the next retry finds the meeting without waiting for the lease", async () => {
    await start(2_000);
    zoom.faults.inject(CREATE, { kind: "dropResponse" }, { times: 1 });
    zoom.faults.inject(
      LIST,
      { kind: "nonJson", status: 200, body: '{"meetings":"not a list"}', contentType: "application/json" },
      { times: 1 },
    );
    const error = await failureOf(service.client.createMeeting(TEST_BOOKING));
    expect([error.status, error.code]).toEqual([409, ErrorCode.IdempotencyInProgress]);
    // the replica ended its own lease: Retry-After is the settle (50 ms here) rounded up, not the 2-minute lease
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(2);
    expect(meetingsOf(TEST_BOOKING.topic)).toHaveLength(1);
    const meeting = await service.client.createMeeting(TEST_BOOKING);
    expect(meeting.replayed).toBe(true);
    expect(meetingsOf(TEST_BOOKING.topic).map((m) => m.id)).toEqual([meeting.id]);
    expect(zoom.inspect().requestsPerRoute[CREATE]).toBe(1);
  });

  it("sends no create once the claim's lease is about to end (another replica could take it over)", async () => {
    // a send margin longer than the lease: every send window is closed from the start
    await start(2_000, { sendMarginMs: 121_000 });
    const error = await failureOf(service.client.createMeeting(TEST_BOOKING));
    expect([error.status, error.code]).toEqual([409, ErrorCode.IdempotencyInProgress]);
    expect(zoom.inspect().requestsPerRoute[CREATE] ?? 0).toBe(0);
    expect(meetingsOf(TEST_BOOKING.topic)).toHaveLength(0);
  });
});

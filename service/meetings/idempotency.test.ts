import { afterEach, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import type { ZoomIntegrationError } from "../client/client.ts";
import { ErrorCode } from "../errors.ts";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "./idempotency-store.ts";
import {
  failureOf,
  startTestService,
  type TestService,
  type TestServiceOptions,
  TEST_BOOKING,
} from "../../test/support/meetings-support.ts";

const BOOKING = TEST_BOOKING;
const CREATE = "POST /v2/users/{userId}/meetings";

let zoom: ZoomEmulator;
let service: TestService;
async function start(options: TestServiceOptions = {}, rateLimits = true): Promise<void> {
  zoom = await startZoomEmulator({ clock: { frozenAt: "2025-09-01T08:00:00Z" }, behaviour: { rateLimits } });
  service = await startTestService(zoom, options);
}
afterEach(async () => {
  await service.close();
  await zoom.close();
});

const liveMeetings = () => zoom.inspect().meetings.filter((m) => !m.deleted).length;

const failure = failureOf;

/**
 * A store whose first "done" write fails: the replica died after Zoom answered, before recording.
 * Being dead, that request writes nothing more (it cannot end its own lease).
 */
function crashingOnFirstCompletion(inner: IdempotencyStore): IdempotencyStore {
  let dead: string | undefined;
  return {
    transact: (key, decide) =>
      inner.transact(key, (current) => {
        const decision = decide(current);
        const put = decision.change && "put" in decision.change ? decision.change.put : undefined;
        if (put && (put.owner === dead || (dead === undefined && put.state === "done"))) {
          dead = put.owner;
          throw new Error("replica crashed");
        }
        return decision;
      }),
  };
}

describe("idempotent creates", () => {
  it("returns the same meeting for a retried create with the same Idempotency-Key", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING, { idempotencyKey: "key-1" });
    const again = await service.client.createMeeting(BOOKING, { idempotencyKey: "key-1" });
    expect(again).toMatchObject({ id: first.id, joinUrl: first.joinUrl, replayed: true });
    expect(liveMeetings()).toBe(1);
  });

  it("uses the booking id as the key when no Idempotency-Key is sent, per organization", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING);
    expect((await service.client.createMeeting(BOOKING)).id).toBe(first.id);
    await service.tokens.connect("globex-on-acme");
    const other = await service.client.createMeeting({ ...BOOKING, organizationId: "globex-on-acme" });
    expect(other.id).not.toBe(first.id);
  });

  it("refuses a key reused for a different request with 422 and creates nothing more", async () => {
    await start();
    await service.client.createMeeting(BOOKING);
    const error = await failure(service.client.createMeeting({ ...BOOKING, topic: "Something else" }));
    expect([error.status, error.code]).toEqual([422, ErrorCode.IdempotencyMismatch]);
    expect(liveMeetings()).toBe(1);
  });

  it("turns 50 concurrent duplicate creates into exactly one Zoom meeting", async () => {
    await start({}, false);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => service.client.createMeeting(BOOKING)));
    const ids = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : [])));
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as ZoomIntegrationError).code] : []));
    expect(zoom.inspect().requestsPerRoute[CREATE]).toBe(1);
    expect(liveMeetings()).toBe(1);
    expect(ids.size).toBe(1);
    expect(refusals.every((code) => code === ErrorCode.IdempotencyInProgress)).toBe(true);
  });

  it("answers a duplicate that waits too long with 409 IDEMPOTENCY_IN_PROGRESS", async () => {
    await start({ timing: { waitMs: 100, pollMs: 20 } });
    zoom.faults.inject(CREATE, { kind: "latency", ms: 400 }, { times: 1 });
    const slow = service.client.createMeeting(BOOKING);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await failure(service.client.createMeeting(BOOKING));
    expect([error.status, error.code, error.retryAfterSeconds]).toEqual([409, ErrorCode.IdempotencyInProgress, 1]);
    await slow;
    expect(liveMeetings()).toBe(1);
  });

  it("recovers a meeting Zoom created when the replica died before recording it, once the lease ran out", async () => {
    const store = createMemoryIdempotencyStore(() => zoom.clock.now());
    await start({ store: crashingOnFirstCompletion(store), timing: { waitMs: 100, pollMs: 20 } });
    expect((await failure(service.client.createMeeting(BOOKING))).status).toBe(500);
    expect(liveMeetings()).toBe(1);
    expect((await failure(service.client.createMeeting(BOOKING))).code).toBe(ErrorCode.IdempotencyInProgress);
    zoom.clock.advance(3 * 60_000);
    const recovered = await service.client.createMeeting(BOOKING);
    expect(recovered.id).toBe(zoom.inspect().meetings[0]?.id);
    expect(recovered.replayed).toBe(true);
    expect(liveMeetings()).toBe(1);
    expect((await service.client.createMeeting(BOOKING)).id).toBe(recovered.id);
  });

  it("keeps a taken-over claim pending when the takeover fails before its search (a release would create a second meeting)", async () => {
    const store = createMemoryIdempotencyStore(() => zoom.clock.now());
    await start({ store: crashingOnFirstCompletion(store), timing: { waitMs: 100, pollMs: 20 } });
    expect((await failure(service.client.createMeeting(BOOKING))).status).toBe(500);
    // past the lease and the host cache: the takeover needs Zoom, which fails for a while
    zoom.clock.advance(6 * 60_000);
    zoom.faults.inject("GET /v2/users/{userId}/meetings", { kind: "status", status: 503 });
    zoom.faults.inject("GET /v2/users/{userId}", { kind: "status", status: 503 });
    expect((await failure(service.client.createMeeting(BOOKING))).code).toBe(ErrorCode.ZoomUnavailable);
    zoom.faults.clear();
    // the failed takeover ended its lease (it is alive): the next retry takes over at once and searches
    const recovered = await service.client.createMeeting(BOOKING);
    expect(recovered.id).toBe(zoom.inspect().meetings[0]?.id);
    expect(recovered.replayed).toBe(true);
    expect(liveMeetings()).toBe(1);
  });
});

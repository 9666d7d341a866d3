import { afterEach, describe, expect, it } from "vitest";
import { failureOf, startTestService, TEST_BOOKING, type TestService } from "../../test/support/meetings-support.ts";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { ErrorCode } from "../errors.ts";
import { createMemoryIdempotencyStore, type IdempotencyRecord, storeKey } from "./idempotency-store.ts";
import { DEFAULT_TIMING, fingerprintOf } from "./idempotent-create.ts";

// Records that follow the meeting's life: cancel, reschedule, deletion in Zoom, and what a create
// with the same booking answers in every state of its record.

const BOOKING = TEST_BOOKING;
const LATER = { ...BOOKING, startLocal: "2025-09-11T15:00" };

let zoom: ZoomEmulator;
let service: TestService;
const store = () => createMemoryIdempotencyStore(() => zoom.clock.now());
let memory: ReturnType<typeof store>;

async function start(): Promise<void> {
  zoom = await startZoomEmulator({ clock: { frozenAt: "2025-09-01T08:00:00Z" } });
  memory = store();
  service = await startTestService(zoom, { store: memory, timing: { waitMs: 100, pollMs: 20 } });
}
afterEach(async () => {
  await service.close();
  await zoom.close();
});

const live = () => zoom.inspect().meetings.filter((m) => !m.deleted);

/** What a host does in Zoom's own UI: the service hears nothing of it. */
async function deleteInZoom(id: string): Promise<void> {
  const { accessToken } = await service.tokens.get("acme");
  const res = await fetch(`${zoom.url}/v2/meetings/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${accessToken}` } });
  expect(res.status).toBe(204);
}

/** Seeds the booking's record directly: the states a crashed or concurrent replica leaves behind. */
async function seed(record: Partial<IdempotencyRecord>): Promise<void> {
  const now = zoom.clock.now();
  const full: IdempotencyRecord = {
    fingerprint: fingerprintOf(BOOKING),
    state: "pending",
    owner: "another-replica",
    claimedAt: now,
    leaseUntil: now + DEFAULT_TIMING.leaseMs,
    expiresAt: now + DEFAULT_TIMING.ttlMs,
    host: "me",
    ...record,
  };
  await memory.transact(storeKey("acme", `booking:${BOOKING.bookingId}`), () => ({ change: { put: full }, result: undefined }));
}

describe("a booking cancelled, then booked again", () => {
  it("makes a new meeting for the same request after a cancel", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING);
    await service.client.deleteMeeting("acme", first.id);
    const again = await service.client.createMeeting(BOOKING);
    expect(again.id).not.toBe(first.id);
    expect(again.replayed).toBe(false);
    expect(live().map((m) => m.id)).toEqual([again.id]);
    expect((await service.client.createMeeting(BOOKING)).id).toBe(again.id);
  });

  it("makes a new meeting at a new time after a cancel, where without the cancel the key is refused", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING);
    expect((await failureOf(service.client.createMeeting(LATER))).code).toBe(ErrorCode.IdempotencyMismatch);
    await service.client.deleteMeeting("acme", first.id);
    const moved = await service.client.createMeeting(LATER);
    expect(moved.id).not.toBe(first.id);
    expect(moved.startLocal).toBe("2025-09-11T15:00:00");
    expect(live()).toHaveLength(1);
  });

  it("keeps the booking's meeting when only one occurrence of its series is cancelled, and a PATCH of that occurrence is NOT_FOUND", async () => {
    await start();
    const series = { ...BOOKING, recurrence: { frequency: "daily" as const, endAfterCount: 3 } };
    const created = await service.client.createMeeting(series);
    const occurrence = created.occurrences[1]?.occurrenceId ?? "";
    await service.client.deleteMeeting("acme", created.id, { occurrenceId: occurrence });
    const patch = service.client.updateMeeting(created.id, { organizationId: "acme", occurrenceId: occurrence, durationMinutes: 45 });
    expect((await failureOf(patch)).code).toBe(ErrorCode.NotFound);
    const again = await service.client.createMeeting(series);
    expect(again).toMatchObject({ id: created.id, replayed: true });
  });
});

describe("a booking rescheduled by PATCH", () => {
  it("moves the same meeting, and a retried original create replays it as Zoom has it now", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    const moved = await service.client.updateMeeting(created.id, {
      organizationId: "acme",
      startLocal: "2025-09-12T09:30",
      timeZone: "Europe/Berlin",
    });
    expect(moved).toMatchObject({ id: created.id, startLocal: "2025-09-12T09:30:00" });
    const replay = await service.client.createMeeting(BOOKING);
    expect(replay).toMatchObject({ id: created.id, replayed: true, startLocal: "2025-09-12T09:30:00" });
    expect(live()).toHaveLength(1);
  });
});

describe("a booking moved to another host", () => {
  it("replays the new host's meeting to a retried original create, never a third meeting", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    const moved = await service.client.updateMeeting(created.id, { organizationId: "acme", host: "member@acme.example" });
    expect(moved.id).not.toBe(created.id);
    expect(await service.client.createMeeting(BOOKING)).toMatchObject({ id: moved.id, replayed: true });
    expect(live().map((m) => m.id)).toEqual([moved.id]);
  });
});

describe("a meeting deleted in Zoom", () => {
  it("answers MEETING_GONE to GET and PATCH, then lets the booking be created again", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    await deleteInZoom(created.id);
    const read = await failureOf(service.client.getMeeting("acme", created.id));
    expect([read.status, read.code]).toEqual([404, ErrorCode.MeetingGone]);
    const patch = await failureOf(service.client.updateMeeting(created.id, { organizationId: "acme", topic: "Renamed" }));
    expect([patch.status, patch.code]).toEqual([404, ErrorCode.MeetingGone]);
    const again = await service.client.createMeeting(LATER);
    expect(again.id).not.toBe(created.id);
    expect(live().map((m) => m.id)).toEqual([again.id]);
  });

  it("is noticed by a retried create even without a GET in between: a new meeting, never a replay of the gone one", async () => {
    await start();
    const created = await service.client.createMeeting(BOOKING);
    await deleteInZoom(created.id);
    const again = await service.client.createMeeting(BOOKING);
    expect(again).toMatchObject({ replayed: false });
    expect(again.id).not.toBe(created.id);
  });
});

describe("what a create answers in every state of its booking's record", () => {
  it("no record: creates (201, not replayed)", async () => {
    await start();
    expect(await service.client.createMeeting(BOOKING)).toMatchObject({ replayed: false });
    expect(live()).toHaveLength(1);
  });

  it("pending with a live lease (another request is creating): 409 IDEMPOTENCY_IN_PROGRESS with Retry-After", async () => {
    await start();
    await seed({});
    const busy = await failureOf(service.client.createMeeting(BOOKING));
    expect([busy.status, busy.code]).toEqual([409, ErrorCode.IdempotencyInProgress]);
    expect(live()).toHaveLength(0);
  });

  it("pending with a different request: 422 IDEMPOTENCY_KEY_REUSED", async () => {
    await start();
    await seed({ fingerprint: "another-request" });
    expect((await failureOf(service.client.createMeeting(BOOKING))).code).toBe(ErrorCode.IdempotencyMismatch);
  });

  it("pending with a lapsed lease (its replica died): taken over, recovery finds nothing, creates once", async () => {
    await start();
    await seed({ leaseUntil: zoom.clock.now() - 1 });
    expect(await service.client.createMeeting(BOOKING)).toMatchObject({ replayed: false });
    expect(live()).toHaveLength(1);
  });

  it("done and its meeting alive: replays it (201, Idempotent-Replayed)", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING);
    expect(await service.client.createMeeting(BOOKING)).toMatchObject({ id: first.id, replayed: true });
  });

  it("done, cancelled through the API: a new meeting", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING);
    await service.client.deleteMeeting("acme", first.id);
    expect((await service.client.createMeeting(BOOKING)).id).not.toBe(first.id);
  });

  it("expired (25 h after completion): a new meeting", async () => {
    await start();
    const first = await service.client.createMeeting(BOOKING);
    zoom.clock.advance(DEFAULT_TIMING.ttlMs + 1);
    const again = await service.client.createMeeting({ ...BOOKING, startLocal: "2025-09-20T10:00" });
    expect(again.id).not.toBe(first.id);
    expect(live()).toHaveLength(2);
  });
});

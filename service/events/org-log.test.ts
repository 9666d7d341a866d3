import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { decide, LockObserver } from "./delivery-lock.ts";
import type { NewEvent } from "./event-types.ts";
import {
  acknowledge,
  appendEvents,
  DELIVERED_RETENTION_MS,
  emptyLog,
  eventsAfter,
  MAX_DELIVERED_KEPT,
  expireEvents,
  purgeEvents,
  RETENTION_MS,
  undelivered,
} from "./org-log.ts";

const event = (id: string): NewEvent => ({
  id,
  type: "meeting.updated",
  time: "2026-01-01T00:00:00.000Z",
  subject: "meetings/1",
  data: { organizationId: "org", accountId: "a", meetingId: "1" },
});
const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("an organization's log", () => {
  it("numbers events in order and skips an id it already holds (Zoom's retry of a recorded delivery)", () => {
    const log = appendEvents(appendEvents(emptyLog("org"), [event("a"), event("b")], T0), [event("b"), event("c")], T0 + 1);
    expect(log.events.map((e) => [e.id, e.seq])).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    expect(log.nextSeq).toBe(4);
  });

  it("keeps delivered events a day for the pull API and undelivered ones three days, counting those dropped unsent", () => {
    const log = acknowledge(appendEvents(emptyLog("org"), [event("a"), event("b")], T0), 1, T0);
    expect(expireEvents(log, T0 + DELIVERED_RETENTION_MS - 1).log.events).toHaveLength(2);
    expect(expireEvents(log, T0 + DELIVERED_RETENTION_MS)).toMatchObject({ undeliveredDropped: 0, log: { events: [{ id: "b" }] } });
    expect(expireEvents(log, T0 + RETENTION_MS - 1).log.events).toHaveLength(1);
    expect(expireEvents(log, T0 + RETENTION_MS)).toMatchObject({ undeliveredDropped: 1, log: { events: [], acked: 2 } });
  });

  it("keeps only the newest delivered events beyond a cap, never an undelivered one", () => {
    const ids = Array.from({ length: MAX_DELIVERED_KEPT + 5 }, (_, i) => `e${i}`);
    const log = acknowledge(appendEvents(emptyLog("org"), ids.map(event), T0), MAX_DELIVERED_KEPT + 2, T0);
    const { log: kept, undeliveredDropped } = expireEvents(log, T0);
    expect(undeliveredDropped).toBe(0);
    expect(kept.events[0]?.seq).toBe(3);
    expect(kept.events).toHaveLength(MAX_DELIVERED_KEPT + 3);
  });

  it("ends a failure run with the next acknowledgement", () => {
    const delivery = { attempts: 2, nextAttemptAt: T0 + 3000, failingSince: T0, lastError: "timeout" };
    const log = acknowledge({ ...appendEvents(emptyLog("org"), [event("a"), event("b")], T0), delivery }, 1, T0 + 5000);
    expect(log.delivery).toEqual({ attempts: 0, lastDeliveredAt: T0 + 5000 });
    expect(undelivered(log).map((e) => e.id)).toEqual(["b"]);
    expect(acknowledge(log, 1, T0 + 6000)).toBe(log);
  });

  it("forgets every event on a purge but keeps counting, so cursors stay valid", () => {
    const log = purgeEvents(appendEvents(emptyLog("org"), [event("a"), event("b")], T0));
    expect(log).toMatchObject({ events: [], acked: 2, nextSeq: 3 });
    expect(appendEvents(log, [event("z")], T0).events[0]?.seq).toBe(3);
  });

  it("pages after a cursor in order and says when events between were dropped", () => {
    const log = appendEvents(emptyLog("org"), ["a", "b", "c", "d"].map(event), T0);
    expect(eventsAfter(log, 1, 2)).toMatchObject({ events: [{ id: "b" }, { id: "c" }], truncated: false });
    expect(eventsAfter(log, 4, 10)).toEqual({ events: [], truncated: false });
    const trimmed = { ...log, events: log.events.slice(2) };
    expect(eventsAfter(trimmed, 0, 10)).toMatchObject({ events: [{ id: "c" }, { id: "d" }], truncated: true });
  });
});

describe("the cursor", () => {
  it("round-trips, starts at the beginning when absent, and refuses what it did not make", () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor(undefined)).toBe(0);
    for (const bad of ["42", "not a cursor", Buffer.from("c1.-1").toString("base64url"), "x".repeat(41)])
      expect(() => decodeCursor(bad)).toThrow(/query.after/);
  });
});

describe("the delivery lock", () => {
  const lock = { holder: "svc-0", id: "x", ttlMs: 30_000, renewals: 0 };

  it("is taken at once when free, and over only after the same version went unrenewed for its ttl on our clock", () => {
    const observer = new LockObserver();
    expect(decide(undefined, observer, 0)).toEqual({ kind: "take", takeover: false });
    expect(decide(lock, observer, 1_000_000)).toEqual({ kind: "wait" });
    expect(decide(lock, observer, 1_029_999)).toEqual({ kind: "wait" });
    expect(decide({ ...lock, renewals: 1 }, observer, 1_029_999)).toEqual({ kind: "wait" });
    expect(decide({ ...lock, renewals: 1 }, observer, 1_059_999)).toEqual({ kind: "take", takeover: true });
  });
});

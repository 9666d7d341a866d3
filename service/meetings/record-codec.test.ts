import { describe, expect, it } from "vitest";
import type { IdempotencyRecord } from "./idempotency-store.ts";
import { DEFAULT_TIMING, decideClaim } from "./idempotent-create.ts";
import { decodeRecord, encodeRecord, parseRecords } from "./record-codec.ts";

const NOW = 1_800_000_000_000;
const pending: IdempotencyRecord = {
  fingerprint: "fp",
  state: "pending",
  owner: "owner-1",
  claimedAt: NOW,
  leaseUntil: NOW + 120_000,
  expiresAt: NOW + DEFAULT_TIMING.ttlMs,
  host: "me",
};
const done: IdempotencyRecord = {
  ...pending,
  state: "done",
  owner: "",
  claimedAt: 0,
  leaseUntil: 0,
  host: "",
  meetingId: "9007199254740993",
};
const attempt = { fingerprint: "fp", owner: "owner-2", host: "me" };

describe("stored records", () => {
  it("round-trip every state; a done record keeps no lease, owner, host or claim time (the shard's size budget)", () => {
    for (const record of [pending, done, { ...done, state: "gone" as const, fingerprint: "" }])
      expect(decodeRecord(encodeRecord(record))).toEqual(record);
    expect(JSON.stringify(encodeRecord(done)).length).toBeLessThan(70);
  });

  it("read damaged or unknown entries as absent rather than blocking the key, and a damaged shard as empty", () => {
    expect(decodeRecord("text")).toBeUndefined();
    expect(decodeRecord({ s: "x", e: 1 })).toBeUndefined();
    expect(parseRecords({ records: "{not json" })).toEqual({});
    expect(parseRecords({ records: "[1]" })).toEqual({});
  });
});

describe("decideClaim with the record's meeting", () => {
  it.each([
    ["replays a done record of the same request", done, new Set<string>(), { kind: "done", meetingId: done.meetingId }],
    [
      "asks about a done record of another request",
      { ...done, fingerprint: "other" },
      new Set<string>(),
      { kind: "reused", meetingId: done.meetingId },
    ],
    ["claims afresh over a done record whose meeting is gone", done, new Set([done.meetingId ?? ""]), { kind: "claimed", recover: false }],
    [
      "claims afresh for another request once the meeting is gone",
      { ...done, fingerprint: "other" },
      new Set([done.meetingId ?? ""]),
      { kind: "claimed" },
    ],
    ["waits for a live pending claim", pending, new Set<string>(), { kind: "busy" }],
    ["refuses a pending claim of another request", { ...pending, fingerprint: "other" }, new Set<string>(), { kind: "mismatch" }],
    ["takes over a lapsed claim and recovers", { ...pending, leaseUntil: NOW - 1 }, new Set<string>(), { kind: "claimed", recover: true }],
  ])("%s", (_name, current, gone, expected) => {
    expect(decideClaim(current, attempt, NOW, DEFAULT_TIMING, gone).result).toMatchObject(expected);
  });
});

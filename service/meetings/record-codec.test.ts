import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { IdempotencyRecord } from "./idempotency-store.ts";
import { DEFAULT_TIMING, decideClaim } from "./idempotent-create.ts";
import { decodeRecord, encodeRecord, parseRecords, parseShard, renderShard } from "./record-codec.ts";

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

describe("the shard's stored form", () => {
  const a = { s: "d" as const, e: 2, f: "fa", m: "1" };
  const b = { s: "p" as const, e: 3, f: "fb", o: "x", l: 1 };

  it("reads back what either format wrote, keeping keys that are not the records'", () => {
    const base = { data: { other: "kept" }, binaryData: { blob: "AAEC" } };
    for (const format of ["json", "compact"] as const) {
      const body = renderShard(base, { a, b }, format);
      expect(parseShard(body)).toEqual({ a, b });
      expect([body.data["other"], body.binaryData["blob"]]).toEqual(["kept", "AAEC"]);
    }
  });

  it("writes one form and drops the other, so a write in either format leaves no stale copy", () => {
    const compact = renderShard(undefined, { a, b }, "compact");
    expect(Object.keys(compact.data)).toEqual([]);
    const json = renderShard(compact, { a }, "json");
    expect([Object.keys(json.binaryData), parseShard(json)]).toEqual([[], { a }]);
    expect(parseShard(renderShard(json, { b }, "compact"))).toEqual({ b });
  });

  it("lets JSON records win over compact ones (a pod that knows only JSON wrote after), and reads damaged compact data as none", () => {
    const compact = renderShard(undefined, { a, b }, "compact");
    const newer = { ...a, m: "2" };
    expect(parseShard({ ...compact, data: { records: JSON.stringify({ a: newer }) } })).toEqual({ a: newer, b });
    expect(parseShard({ binaryData: { records: "bm90IGRlZmxhdGU=" } })).toEqual({});
  });

  it("stores a day's worth of records in about half the bytes", () => {
    const records = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        createHash("sha256").update(`k${i}`).digest("base64url").slice(0, 24),
        {
          s: "d" as const,
          e: 1_796_262_408_339 + i * 997_123,
          f: createHash("sha256").update(`f${i}`).digest("base64url").slice(0, 22),
          m: String(9_007_199_254_740_993n + BigInt(i * 7919)),
        },
      ]),
    );
    const json = renderShard(undefined, records, "json").data["records"] ?? "";
    const compact = Buffer.from(renderShard(undefined, records, "compact").binaryData["records"] ?? "", "base64");
    expect(compact.length / json.length).toBeLessThan(0.6);
  });
});

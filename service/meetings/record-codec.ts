import type { IdempotencyRecord, IdempotencyState } from "./idempotency-store.ts";

/**
 * Records as stored in a shard: all of a shard's records in ONE data key (`records`, a JSON object
 * by store key), compact field names, and only what the state needs (a done record keeps no lease,
 * owner, host or claim time). NB: one data key, because the API server lists every data key of a
 * ConfigMap again in the writer's managedFields: a key per record doubled what etcd stored per write.
 */

export const RECORDS_KEY = "records";

export interface Stored {
  f?: string;
  s: "p" | "d" | "g";
  o?: string;
  c?: number;
  l?: number;
  e: number;
  h?: string;
  m?: string;
}

export type StoredRecords = Record<string, Stored>;

const CODE = { pending: "p", done: "d", gone: "g" } as const satisfies Record<IdempotencyState, Stored["s"]>;
const STATE: Record<Stored["s"], IdempotencyState> = { p: "pending", d: "done", g: "gone" };

export function encodeRecord(r: IdempotencyRecord): Stored {
  const stored: Stored = { s: CODE[r.state], e: r.expiresAt };
  if (r.fingerprint) stored.f = r.fingerprint;
  if (r.state === "pending") Object.assign(stored, { o: r.owner, c: r.claimedAt, l: r.leaseUntil, h: r.host });
  if (r.meetingId !== undefined) stored.m = r.meetingId;
  return stored;
}

/** Damaged or unknown entries read as absent rather than blocking their key forever. */
export function decodeRecord(value: unknown): IdempotencyRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const s = value as Stored;
  const state = STATE[s.s];
  if (!state || typeof s.e !== "number") return undefined;
  return {
    fingerprint: s.f ?? "",
    state,
    owner: s.o ?? "",
    claimedAt: s.c ?? 0,
    leaseUntil: s.l ?? 0,
    expiresAt: s.e,
    host: s.h ?? "",
    meetingId: s.m,
  };
}

/** A shard's records from its data; an unreadable value reads as no records. */
export function parseRecords(data: Readonly<Record<string, string>> | undefined): StoredRecords {
  try {
    const parsed: unknown = JSON.parse(data?.[RECORDS_KEY] ?? "{}");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as StoredRecords) : {};
  } catch {
    return {};
  }
}

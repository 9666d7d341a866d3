import type { IdempotencyRecord, IdempotencyState } from "./idempotency-store.ts";

/**
 * Records as stored in a shard ConfigMap: compact field names, and only what the state needs (a
 * done record keeps no lease, owner or host), so a shard of ~40 records stays near 5 kB.
 */

interface Stored {
  f?: string;
  s: "p" | "d" | "g";
  o?: string;
  c: number;
  l?: number;
  e: number;
  h?: string;
  m?: string;
}

const CODE = { pending: "p", done: "d", gone: "g" } as const satisfies Record<IdempotencyState, Stored["s"]>;
const STATE: Record<Stored["s"], IdempotencyState> = { p: "pending", d: "done", g: "gone" };

export function encodeRecord(r: IdempotencyRecord): string {
  const stored: Stored = { s: CODE[r.state], c: r.claimedAt, e: r.expiresAt };
  if (r.fingerprint) stored.f = r.fingerprint;
  if (r.state === "pending") Object.assign(stored, { o: r.owner, l: r.leaseUntil, h: r.host });
  if (r.meetingId !== undefined) stored.m = r.meetingId;
  return JSON.stringify(stored);
}

export function decodeRecord(text: string | undefined): IdempotencyRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const s = JSON.parse(text) as Stored;
    const state = STATE[s.s];
    if (!state || typeof s.e !== "number") return undefined;
    return {
      fingerprint: s.f ?? "",
      state,
      owner: s.o ?? "",
      claimedAt: s.c,
      leaseUntil: s.l ?? 0,
      expiresAt: s.e,
      host: s.h ?? "",
      meetingId: s.m,
    };
  } catch {
    // NB: a damaged record reads as absent rather than blocking its key forever.
    return undefined;
  }
}

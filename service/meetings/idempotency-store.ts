import { createHash } from "node:crypto";

/**
 * Where idempotent creates remember what they did, shared by every replica. The production
 * implementation is sharded ConfigMaps (configmap-idempotency-store.ts); the in-memory one serves
 * route tests and single-process development.
 */

/**
 * pending: a request holds the key and may be creating the meeting; done: the key made `meetingId`;
 * gone: a marker under the meeting's own key (meetingGoneKey) that the meeting was cancelled through
 * the API or found deleted in Zoom, so the key that made it may create anew.
 */
export type IdempotencyState = "pending" | "done" | "gone";

export interface IdempotencyRecord {
  /** Hash of the normalised create request: the same key with another request is refused. */
  readonly fingerprint: string;
  readonly state: IdempotencyState;
  /** The attempt holding a pending claim (random per request, never a secret). */
  readonly owner: string;
  /** When the claim was taken (ms): recovery looks only at meetings Zoom created after it. */
  readonly claimedAt: number;
  /** Pending only: until then the owner is presumed alive; afterwards a retry may take over. */
  readonly leaseUntil: number;
  /** After it the record is pruned (at least 24 h after completion). */
  readonly expiresAt: number;
  /** The host as requested (`me`, id or e-mail): where recovery lists meetings. */
  readonly host: string;
  readonly meetingId?: string | undefined;
}

export type Change = { readonly put: IdempotencyRecord } | { readonly remove: true };

export interface Decision<T> {
  /** Absent: nothing is written. */
  readonly change?: Change | undefined;
  readonly result: T;
}

export interface IdempotencyStore {
  /**
   * Atomically reads the key's record (expired ones read as absent), lets `decide` choose, and
   * writes its change only if nobody wrote in between. `decide` may run more than once (after a
   * conflict) and must not have side effects. Throws IDEMPOTENCY_STORE_UNAVAILABLE when the store
   * cannot be written (full, unreachable, endless contention).
   */
  transact<T>(key: string, decide: (current: IdempotencyRecord | undefined) => Decision<T>): Promise<T>;
}

/**
 * The store key: organizations never share keys, and the raw key (maybe personal data) is not
 * stored. 24 base64url characters (144 bits): collisions are out of reach, and records stay small.
 */
/** Characters of a store key (base64url of sha256). NB: the old single-ConfigMap store used 40 of the same digest. */
export const STORE_KEY_LENGTH = 24;

export function storeKey(organizationId: string, key: string): string {
  return createHash("sha256").update(`${organizationId}\0${key}`).digest("base64url").slice(0, STORE_KEY_LENGTH);
}

export function isExpired(record: IdempotencyRecord, now: number): boolean {
  return record.expiresAt <= now;
}

/** One process only: no persistence, no sharing. */
export function createMemoryIdempotencyStore(now: () => number = Date.now): IdempotencyStore & { readonly size: () => number } {
  const records = new Map<string, IdempotencyRecord>();
  return {
    size: () => records.size,
    async transact(key, decide) {
      const found = records.get(key);
      const decision = decide(found && !isExpired(found, now()) ? found : undefined);
      if (decision.change && "put" in decision.change) records.set(key, decision.change.put);
      else if (decision.change) records.delete(key);
      for (const [k, record] of records) if (isExpired(record, now())) records.delete(k);
      return decision.result;
    },
  };
}

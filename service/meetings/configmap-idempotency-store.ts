import { ApiException, type CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";
import { type Backoff, retry } from "../../common/retry.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import { type Decision, type IdempotencyRecord, type IdempotencyStore, isExpired } from "./idempotency-store.ts";

/**
 * Idempotency records in the tenant's state ConfigMap `<name>-zoom-state`, one data key per
 * record (`idempotency.<hash>`), written by replace with the read resourceVersion: the API server
 * refuses a write based on a stale read (409), so two replicas can never both claim a key.
 * Other keys in the ConfigMap (part 1's state) are carried over untouched.
 *
 * Size: a ConfigMap holds at most 1 MiB. Every write prunes expired records; records are about
 * 200 bytes, so `maxBytes` (900 kB by default, leaving room for other keys) holds ~4,500 creates
 * per 25 hours. When it is full, a *new* claim fails with IDEMPOTENCY_STORE_UNAVAILABLE (503,
 * reason "full") before Zoom is called: the booking app retries later; no meeting is created
 * without its record. Completing or releasing an existing claim always fits.
 */

export const RECORD_PREFIX = "idempotency.";

export interface ConfigMapIdempotencyStoreOptions {
  readonly api: CoreV1Api;
  readonly namespace: string;
  /** The state ConfigMap (env ZOOM_STATE_CONFIGMAP). */
  readonly name: string;
  readonly now?: () => number;
  /** Default 900_000 bytes of data in the whole ConfigMap. */
  readonly maxBytes?: number;
  /** Conflicting writes tolerated per transaction. Default 20. */
  readonly maxAttempts?: number;
  readonly random?: () => number;
}

/** Compact field names keep records small (the 1 MiB budget); see IdempotencyRecord. */
interface Stored {
  f: string;
  s: "p" | "d";
  o: string;
  c: number;
  l: number;
  e: number;
  h: string;
  m?: string;
}

export function encodeRecord(r: IdempotencyRecord): string {
  const stored: Stored = {
    f: r.fingerprint,
    s: r.state === "done" ? "d" : "p",
    o: r.owner,
    c: r.claimedAt,
    l: r.leaseUntil,
    e: r.expiresAt,
    h: r.host,
  };
  if (r.meetingId !== undefined) stored.m = r.meetingId;
  return JSON.stringify(stored);
}

export function decodeRecord(text: string | undefined): IdempotencyRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const s = JSON.parse(text) as Stored;
    return {
      fingerprint: s.f,
      state: s.s === "d" ? "done" : "pending",
      owner: s.o,
      claimedAt: s.c,
      leaseUntil: s.l,
      expiresAt: s.e,
      host: s.h,
      meetingId: s.m,
    };
  } catch {
    // NB: a damaged record reads as absent rather than blocking its key forever.
    return undefined;
  }
}

/** NB: contention is expected (50 duplicates, other replicas, part 1's keys): short pauses, fully jittered. */
const CONTENTION_BACKOFF: Backoff = { baseMs: 20, maxMs: 100, jitter: 1 };

/** Not settled: another writer came first (409), so the transaction runs again on a fresh read. */
type Transacted<T> = { readonly settled: true; readonly result: T } | { readonly settled: false };

export class ConfigMapIdempotencyStore implements IdempotencyStore {
  readonly #o: Required<Omit<ConfigMapIdempotencyStoreOptions, "api" | "namespace" | "name">> & ConfigMapIdempotencyStoreOptions;

  constructor(options: ConfigMapIdempotencyStoreOptions) {
    this.#o = { now: Date.now, maxBytes: 900_000, maxAttempts: 20, random: Math.random, ...options };
  }

  async transact<T>(key: string, decide: (current: IdempotencyRecord | undefined) => Decision<T>): Promise<T> {
    const outcome = await retry(() => this.#tryTransact(RECORD_PREFIX + key, decide), {
      attempts: this.#o.maxAttempts,
      retryable: () => false,
      retryResult: (o) => !o.settled,
      random: this.#o.random,
      ...CONTENTION_BACKOFF,
    });
    if (!outcome.settled) throw unavailable("conflict", "The idempotency store stayed contended; retry.");
    return outcome.result;
  }

  /** One read, decide and replace. */
  async #tryTransact<T>(dataKey: string, decide: (current: IdempotencyRecord | undefined) => Decision<T>): Promise<Transacted<T>> {
    const map = await this.#read();
    const data = { ...(map.data ?? {}) };
    const found = decodeRecord(data[dataKey]);
    const current = found && !isExpired(found, this.#o.now()) ? found : undefined;
    const decision = decide(current);
    if (!decision.change) return { settled: true, result: decision.result };
    if ("put" in decision.change) data[dataKey] = encodeRecord(decision.change.put);
    else delete data[dataKey];
    this.#prune(data);
    if (current === undefined && "put" in decision.change && dataBytes(data) > this.#o.maxBytes)
      throw unavailable("full", "The idempotency store (state ConfigMap) is full; retry after older records expire.");
    return (await this.#replace(map, data)) ? { settled: true, result: decision.result } : { settled: false };
  }

  #prune(data: Record<string, string>): void {
    const now = this.#o.now();
    for (const [k, v] of Object.entries(data)) {
      if (!k.startsWith(RECORD_PREFIX)) continue;
      const record = decodeRecord(v);
      if (!record || isExpired(record, now)) delete data[k];
    }
  }

  async #read(): Promise<V1ConfigMap> {
    try {
      return await this.#o.api.readNamespacedConfigMap({ name: this.#o.name, namespace: this.#o.namespace });
    } catch (error) {
      throw unavailable("kubernetes", `The state ConfigMap could not be read (${statusOf(error)}).`, error);
    }
  }

  /** false on a resourceVersion conflict. */
  async #replace(map: V1ConfigMap, data: Record<string, string>): Promise<boolean> {
    const body: V1ConfigMap = { ...map, data };
    try {
      await this.#o.api.replaceNamespacedConfigMap({ name: this.#o.name, namespace: this.#o.namespace, body });
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return false;
      throw unavailable("kubernetes", `The state ConfigMap could not be written (${statusOf(error)}).`, error);
    }
  }
}

function dataBytes(data: Record<string, string>): number {
  let total = 0;
  for (const [k, v] of Object.entries(data)) total += Buffer.byteLength(k) + Buffer.byteLength(v);
  return total;
}

function statusOf(error: unknown): string {
  return error instanceof ApiException ? `HTTP ${error.code}` : "network error";
}

function unavailable(reason: string, message: string, cause?: unknown): ServiceError {
  return new ServiceError(ErrorCode.IdempotencyStoreUnavailable, message, { details: { reason }, cause });
}

import { createHash } from "node:crypto";
import type { V1ConfigMap } from "@kubernetes/client-node";
import { type Backoff, retry } from "../../common/retry.ts";
import { IDEMPOTENCY_SHARDS, idempotencyShardName } from "../../common/tenant/idempotency-shards.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { decodeRecord, encodeRecord, parseShard, renderShard, type ShardFormat, type StoredRecords } from "./record-codec.ts";
import { type Decision, type IdempotencyRecord, type IdempotencyStore, isExpired } from "./idempotency-store.ts";
import { type LegacyRecords, legacyRecords } from "./legacy-idempotency.ts";
import { type ShardClient, type ShardClientSource, shardClient, statusCodeOf } from "./shard-client.ts";

/**
 * Idempotency records in 512 small shard ConfigMaps `<state>-idem-<hex>` (common/tenant/
 * idempotency-shards.ts), all of a shard's records in one data key (record-codec.ts); a key's shard
 * is a hash of the key. A transaction
 * is one GET and one write of that shard only: a replace with the read resourceVersion (the API
 * server refuses a write based on a stale read, 409, so two replicas never both claim a key), or a
 * create when the shard does not exist yet (409 AlreadyExists: read again). Different keys almost
 * never share a shard, so they do not queue behind each other.
 *
 * Expiry: every write drops the expired records of the shard it writes anyway; nothing sweeps.
 * Sizes: a record is ~90 bytes; at 20,000 creates a day a shard holds ~40 live records (~4 kB),
 * so a write (and etcd's copy of it) stays small. A shard refuses a *new* claim above
 * `maxShardBytes` (48 kB, ~10x the mean at that rate) with IDEMPOTENCY_STORE_UNAVAILABLE
 * (reason full, Retry-After = when its oldest record expires); completing, releasing or cancelling
 * always fits. `zio_service_idempotency_shard_fill_ratio` reports the fullest shard written.
 * The shards are owned by the state ConfigMap, so they go when the tenant goes.
 * Upgrade: a key with no live record in its shard is looked up among the old single-ConfigMap
 * records (legacy-idempotency.ts), read but never written, so a create recorded by an old pod
 * replays on a new one.
 */

/** `kc` (pooled connections, see shard-client.ts) or `api`. */
export type ConfigMapIdempotencyStoreOptions = ShardClientSource & StoreOptions;

interface StoreOptions {
  readonly namespace: string;
  /** The state ConfigMap (env ZOOM_STATE_CONFIGMAP): the shards' name prefix and owner. */
  readonly name: string;
  readonly now?: () => number;
  /** How records are written (both are always read): record-codec.ts. Default `json`. */
  readonly format?: ShardFormat;
  /** Default 48_000 bytes of records (as JSON) per shard. */
  readonly maxShardBytes?: number;
  /** Conflicting writes tolerated per transaction. Default 20. */
  readonly maxAttempts?: number;
  readonly random?: () => number;
  readonly metrics?: Pick<ServiceMetrics, "idempotencyShardFill" | "idempotencyRefusals">;
}

/** NB: contention is expected (duplicates of one key, other replicas): short pauses, fully jittered. */
const CONTENTION_BACKOFF: Backoff = { baseMs: 20, maxMs: 200, jitter: 1 };
/** The API server asked us to slow down (429): wait longer than for a write conflict. */
const THROTTLED_BACKOFF: Backoff = { baseMs: 250, maxMs: 2_000 };
const SHARD_LABELS = { "app.kubernetes.io/managed-by": "zoom-integration-service", "app.kubernetes.io/component": "idempotency-shard" };

/** Not settled: another writer came first (409), so the transaction runs again on a fresh read. */
type Transacted<T> = { readonly settled: true; readonly result: T } | { readonly settled: false };

export function shardOf(key: string, shards: number = IDEMPOTENCY_SHARDS): number {
  return createHash("sha1").update(key).digest().readUInt32BE(0) % shards;
}

export class ConfigMapIdempotencyStore implements IdempotencyStore {
  readonly #o: Required<Omit<StoreOptions, "metrics">> & StoreOptions;
  readonly #client: ShardClient;
  readonly #legacy: LegacyRecords;
  readonly #fill = new Map<number, number>();
  #owner: Promise<V1ConfigMap | undefined> | undefined;

  constructor(options: ConfigMapIdempotencyStoreOptions) {
    this.#o = { now: Date.now, format: "json", maxShardBytes: 48_000, maxAttempts: 20, random: Math.random, ...options };
    this.#client = shardClient(options, options.namespace);
    this.#legacy = legacyRecords(this.#client, options.name);
  }

  async transact<T>(key: string, decide: (current: IdempotencyRecord | undefined) => Decision<T>): Promise<T> {
    try {
      const outcome = await retry(() => this.#tryTransact(key, decide), {
        attempts: this.#o.maxAttempts,
        retryable: isThrottled,
        retryResult: (o) => !o.settled,
        backoffFor: (why) => ("error" in why ? THROTTLED_BACKOFF : undefined),
        random: this.#o.random,
        ...CONTENTION_BACKOFF,
      });
      if (!outcome.settled) throw unavailable("conflict", "The idempotency store stayed contended; retry.", 1);
      return outcome.result;
    } catch (error) {
      if (error instanceof ServiceError && error.code === ErrorCode.IdempotencyStoreUnavailable)
        this.#o.metrics?.idempotencyRefusals.inc({ reason: String(error.details?.["reason"]) });
      throw error;
    }
  }

  /** One read, decide and write of the key's shard. */
  async #tryTransact<T>(key: string, decide: (current: IdempotencyRecord | undefined) => Decision<T>): Promise<Transacted<T>> {
    const shard = shardOf(key);
    const map = await this.#read(shard);
    const records = parseShard(map);
    const now = this.#o.now();
    const found = decodeRecord(records[key]);
    const current = found && !isExpired(found, now) ? found : await this.#findLegacy(key, now);
    const decision = decide(current);
    if (!decision.change || (!map && "remove" in decision.change)) return { settled: true, result: decision.result };
    if ("put" in decision.change) records[key] = encodeRecord(decision.change.put);
    else delete records[key];
    const oldest = prune(records, now);
    const bytes = Buffer.byteLength(JSON.stringify(records));
    if (current === undefined && "put" in decision.change && bytes > this.#o.maxShardBytes) {
      const seconds = Number.isFinite(oldest) ? Math.max(1, Math.ceil((oldest - now) / 1000)) : 60;
      throw unavailable("full", "The idempotency store's shard for this key is full; retry after its oldest records expire.", seconds);
    }
    const body = renderShard(map, records, this.#o.format);
    const written = map ? await this.#replace(map, body) : await this.#create(shard, body);
    if (written) this.#observeFill(shard, bytes);
    return written ? { settled: true, result: decision.result } : { settled: false };
  }

  async #findLegacy(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    try {
      return await this.#legacy.find(key, now);
    } catch (error) {
      throw unavailable("kubernetes", `The state ConfigMap could not be read for older records (${statusOf(error)}).`, 5, error);
    }
  }

  #observeFill(shard: number, bytes: number): void {
    this.#fill.set(shard, bytes / this.#o.maxShardBytes);
    this.#o.metrics?.idempotencyShardFill.set(Math.max(...this.#fill.values()));
  }

  async #read(shard: number): Promise<V1ConfigMap | undefined> {
    try {
      return await this.#client.read(idempotencyShardName(this.#o.name, shard));
    } catch (error) {
      throw unavailable("kubernetes", `An idempotency shard could not be read (${statusOf(error)}).`, 5, error);
    }
  }

  /** false on a resourceVersion conflict (or a shard deleted meanwhile). */
  async #replace(map: V1ConfigMap, body: ReturnType<typeof renderShard>): Promise<boolean> {
    try {
      await this.#client.replace({ ...map, ...body });
      return true;
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 409 || status === 404) return false;
      throw unavailable("kubernetes", `An idempotency shard could not be written (${statusOf(error)}).`, 5, error);
    }
  }

  /** false when another writer created the shard first. */
  async #create(shard: number, body: ReturnType<typeof renderShard>): Promise<boolean> {
    const owner = await this.#stateConfigMap();
    if (!owner) throw unavailable("kubernetes", "The state ConfigMap does not exist (the operator creates it).", 5);
    const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: this.#o.name, uid: owner.metadata?.uid ?? "" }];
    const metadata = { name: idempotencyShardName(this.#o.name, shard), labels: SHARD_LABELS, ownerReferences };
    try {
      await this.#client.create({ metadata, ...body });
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 409) return false;
      throw unavailable("kubernetes", `An idempotency shard could not be created (${statusOf(error)}).`, 5, error);
    }
  }

  /** The owner of every shard (read once): deleting the tenant deletes its records. */
  #stateConfigMap(): Promise<V1ConfigMap | undefined> {
    this.#owner ??= this.#client.read(this.#o.name).then(
      (map) => {
        if (!map) this.#owner = undefined;
        return map;
      },
      (error: unknown) => {
        this.#owner = undefined;
        throw unavailable("kubernetes", `The state ConfigMap could not be read (${statusOf(error)}).`, 5, error);
      },
    );
    return this.#owner;
  }
}

/** Drops expired and unreadable records; answers when the oldest survivor expires (Infinity: none). */
function prune(records: StoredRecords, now: number): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const [k, v] of Object.entries(records)) {
    const record = decodeRecord(v);
    if (!record || isExpired(record, now)) delete records[k];
    else oldest = Math.min(oldest, record.expiresAt);
  }
  return oldest;
}

function statusOf(error: unknown): string {
  const status = statusCodeOf(error);
  return status === undefined ? "network error" : `HTTP ${status}`;
}

function unavailable(reason: string, message: string, retryAfterSeconds: number, cause?: unknown): ServiceError {
  return new ServiceError(ErrorCode.IdempotencyStoreUnavailable, message, { details: { reason }, cause, retryAfterSeconds });
}

/**
 * NB: the API server's priority and fairness answers 429 to a burst (seen on a busy CI machine when
 * many keys create their shards at once): it asks for a retry, so the transaction runs again.
 */
function isThrottled(error: unknown): boolean {
  return error instanceof ServiceError && statusCodeOf(error.cause) === 429;
}

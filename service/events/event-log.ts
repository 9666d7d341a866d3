// The organizations' event logs, each a value in one of the shard ConfigMaps (shard-store.ts),
// written before the Zoom webhook is answered. Bounded: events expire after RETENTION_MS (72 h),
// dropped as part of any write of their shard (no sweep), and a shard that would pass
// MAX_SHARD_BYTES first drops its oldest delivered events; if undelivered events alone fill it,
// new events are refused (503 EVENTS_STORE_UNAVAILABLE, reason full: Zoom retries its webhook).
import { createHash } from "node:crypto";
import { EVENT_SHARDS } from "../../common/tenant/event-shards.ts";
import type { NewEvent } from "./event-types.ts";
import { appendEvents, dropDelivered, emptyLog, expireEvents, ORG_KEY_PREFIX, type OrgLog, orgKey, parseOrgLog } from "./org-log.ts";
import { type ShardMap, type ShardStore, unavailable } from "./shard-store.ts";

/** NB: a ConfigMap may hold 1 MiB in all; this leaves room for metadata and the delivery lock. */
export const MAX_SHARD_BYTES = 900_000;

export function shardOfOrganization(organizationId: string): number {
  return createHash("sha1").update(organizationId).digest().readUInt32BE(0) % EVENT_SHARDS;
}

export function logsOf(map: ShardMap | undefined): Map<string, OrgLog> {
  return ShardLogs.read(map).logs();
}

/**
 * A shard's organization logs, each kept beside the JSON it was read as until it changes, so a
 * write re-encodes only the organizations it changed. NB: every write used to re-encode the whole
 * shard (up to 900 kB), and again for every 50 events dropped to make room.
 */
export class ShardLogs {
  readonly #logs: Map<string, OrgLog>;
  /** The JSON and its byte length, for logs unchanged since they were read or last encoded. */
  readonly #encoded: Map<string, { json: string; bytes: number }>;

  private constructor(logs: Map<string, OrgLog>, encoded: Map<string, { json: string; bytes: number }>) {
    this.#logs = logs;
    this.#encoded = encoded;
  }

  /** Values that are not an organization's log (or not valid JSON) are left out: the next write drops them. */
  static read(map: ShardMap | undefined): ShardLogs {
    const logs = new Map<string, OrgLog>();
    const encoded = new Map<string, { json: string; bytes: number }>();
    for (const [key, json] of Object.entries(map?.data ?? {})) {
      const log = key.startsWith(ORG_KEY_PREFIX) ? parseOrgLog(json) : undefined;
      if (!log) continue;
      logs.set(key, log);
      encoded.set(key, { json, bytes: Buffer.byteLength(json) });
    }
    return new ShardLogs(logs, encoded);
  }

  copy(): ShardLogs {
    return new ShardLogs(new Map(this.#logs), new Map(this.#encoded));
  }

  logs(): Map<string, OrgLog> {
    return new Map(this.#logs);
  }

  get(key: string): OrgLog | undefined {
    return this.#logs.get(key);
  }

  set(key: string, log: OrgLog): void {
    if (this.#logs.get(key) === log) return;
    this.#logs.set(key, log);
    this.#encoded.delete(key);
  }

  #encode(key: string, log: OrgLog): { json: string; bytes: number } {
    let encoded = this.#encoded.get(key);
    if (!encoded) {
      const json = JSON.stringify(log);
      encoded = { json, bytes: Buffer.byteLength(json) };
      this.#encoded.set(key, encoded);
    }
    return encoded;
  }

  /** What the shard's data is: every log's JSON, by key. */
  data(): Record<string, string> {
    return Object.fromEntries([...this.#logs].map(([key, log]) => [key, this.#encode(key, log).json]));
  }

  /** The data's size as the limit counts it (keys and values). */
  bytes(): number {
    let total = 0;
    for (const [key, log] of this.#logs) total += key.length + this.#encode(key, log).bytes;
    return total;
  }

  entries(): IterableIterator<[string, OrgLog]> {
    return this.#logs.entries();
  }
}

export interface EventLogProps {
  readonly shards: ShardStore;
  readonly now: () => number;
  readonly maxShardBytes?: number;
  /** Undelivered events that expired unsent (counted in a metric). */
  readonly onExpired?: (count: number) => void;
}

interface Queued {
  readonly key: string;
  readonly organizationId: string;
  readonly fn: (log: OrgLog) => { log: OrgLog; result: unknown };
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };

export function createEventLog(props: EventLogProps) {
  const maxBytes = props.maxShardBytes ?? MAX_SHARD_BYTES;
  const queues = new Map<number, Queued[]>();
  const writing = new Set<number>();

  /**
   * Group commit: the changes this replica has for one shard while a write of it is in flight go
   * into its next write together, so a burst of webhooks costs a few writes and few conflicts.
   */
  async function drain(shard: number): Promise<void> {
    if (writing.has(shard)) return;
    writing.add(shard);
    try {
      for (let batch = queues.get(shard) ?? []; batch.length > 0; batch = queues.get(shard) ?? []) {
        queues.set(shard, []);
        await commit(shard, batch);
      }
    } finally {
      writing.delete(shard);
    }
  }

  async function commit(shard: number, batch: readonly Queued[]): Promise<void> {
    let outcomes: Outcome[] = [];
    try {
      await props.shards.update(shard, (map) => {
        const planned = plan(ShardLogs.read(map), batch, props.now(), maxBytes, props.onExpired);
        outcomes = planned.outcomes;
        return planned.data ? { result: undefined, data: planned.data } : { result: undefined };
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.result);
      else item.reject(o.error);
    });
  }

  /** Applies `fn` to one organization's log (created when absent) and writes its shard. */
  function change<T>(organizationId: string, fn: (log: OrgLog) => { log: OrgLog; result: T }): Promise<T> {
    const shard = shardOfOrganization(organizationId);
    return new Promise<T>((resolve, reject) => {
      const queue = queues.get(shard) ?? [];
      queue.push({ key: orgKey(organizationId), organizationId, fn, resolve: resolve as (v: unknown) => void, reject });
      queues.set(shard, queue);
      void drain(shard);
    });
  }

  return {
    change,
    /** Records events (de-duplicated by id); resolves once they are on the Kubernetes API. */
    append: (organizationId: string, events: readonly NewEvent[]) =>
      change(organizationId, (log) => ({ log: appendEvents(log, events, props.now()), result: undefined })),
    async read(organizationId: string): Promise<OrgLog | undefined> {
      return logsOf(await props.shards.read(shardOfOrganization(organizationId))).get(orgKey(organizationId));
    },
  };
}

/**
 * The shard's new data for a batch of changes, and each change's outcome. When the shard would pass
 * its limit, the changes that add events are refused (`full`) and the rest (acknowledgements,
 * purges) still written.
 */
function plan(
  logs: ShardLogs,
  batch: readonly Queued[],
  now: number,
  maxBytes: number,
  onExpired: ((n: number) => void) | undefined,
): { data: Record<string, string> | undefined; outcomes: Outcome[] } {
  for (let refuseGrowth = false; ; refuseGrowth = true) {
    const next = logs.copy();
    let changed = false;
    const outcomes: Outcome[] = batch.map((item) => {
      try {
        const before = next.get(item.key);
        const { log, result } = item.fn(before ?? emptyLog(item.organizationId));
        if (refuseGrowth && log.events.length > (before?.events.length ?? 0)) throw FULL();
        if (log !== before) {
          next.set(item.key, log);
          changed = true;
        }
        return { ok: true, result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    if (!changed) return { data: undefined, outcomes };
    const fits = makeRoom(next, now, maxBytes, onExpired);
    if (fits || refuseGrowth) return { data: next.data(), outcomes };
  }
}

const FULL = () => unavailable("full", "The event log's shard is full of undelivered events; retry later.");

export type EventLog = ReturnType<typeof createEventLog>;

/** Expires old events, then drops the oldest delivered ones while the shard is over the limit; false when undelivered events alone pass it. */
function makeRoom(logs: ShardLogs, now: number, maxBytes: number, onExpired: ((n: number) => void) | undefined): boolean {
  let expired = 0;
  for (const [key, log] of [...logs.entries()]) {
    const next = expireEvents(log, now);
    expired += next.undeliveredDropped;
    logs.set(key, next.log);
  }
  if (expired > 0) onExpired?.(expired);
  while (logs.bytes() > maxBytes) {
    const oldest = oldestDelivered(logs);
    if (!oldest) return false;
    logs.set(oldest, dropDelivered(logs.get(oldest)!, 50));
  }
  return true;
}

function oldestDelivered(logs: ShardLogs): string | undefined {
  let best: { key: string; at: number } | undefined;
  for (const [key, log] of logs.entries()) {
    const first = log.events[0];
    if (first && first.seq <= log.acked && (!best || first.at < best.at)) best = { key, at: first.at };
  }
  return best?.key;
}

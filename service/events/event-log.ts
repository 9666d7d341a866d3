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
  const logs = new Map<string, OrgLog>();
  for (const [key, value] of Object.entries(map?.data ?? {})) {
    const log = key.startsWith(ORG_KEY_PREFIX) ? parseOrgLog(value) : undefined;
    if (log) logs.set(key, log);
  }
  return logs;
}

export interface EventLogProps {
  readonly shards: ShardStore;
  readonly now: () => number;
  readonly maxShardBytes?: number;
  /** Undelivered events that expired unsent (counted in a metric). */
  readonly onExpired?: (count: number) => void;
}

export function createEventLog(props: EventLogProps) {
  const maxBytes = props.maxShardBytes ?? MAX_SHARD_BYTES;

  /** Applies `change` to one organization's log (created when absent) and writes the shard. */
  function change<T>(organizationId: string, fn: (log: OrgLog) => { log: OrgLog; result: T }): Promise<T> {
    const key = orgKey(organizationId);
    return props.shards.update(shardOfOrganization(organizationId), (map) => {
      const logs = logsOf(map);
      const before = logs.get(key);
      const { log, result } = fn(before ?? emptyLog(organizationId));
      if (log === before) return { result };
      logs.set(key, log);
      return { result, data: render(logs, props.now(), maxBytes, props.onExpired, (before?.events.length ?? 0) < log.events.length) };
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

export type EventLog = ReturnType<typeof createEventLog>;

/** The shard's data after expiring old events and making room; throws `full` when growing past the limit. */
function render(
  logs: Map<string, OrgLog>,
  now: number,
  maxBytes: number,
  onExpired: ((n: number) => void) | undefined,
  grew: boolean,
): Record<string, string> {
  let expired = 0;
  for (const [key, log] of logs) {
    const next = expireEvents(log, now);
    expired += next.undeliveredDropped;
    logs.set(key, next.log);
  }
  if (expired > 0) onExpired?.(expired);
  let data = encode(logs);
  while (size(data) > maxBytes) {
    const oldest = oldestDelivered(logs);
    if (!oldest) {
      if (grew) throw unavailable("full", "The event log's shard is full of undelivered events; retry later.");
      break; // NB: an acknowledgement or a purge must always be written, even over the limit
    }
    logs.set(oldest, dropDelivered(logs.get(oldest)!, 50));
    data = encode(logs);
  }
  return data;
}

function encode(logs: Map<string, OrgLog>): Record<string, string> {
  return Object.fromEntries([...logs].map(([k, log]) => [k, JSON.stringify(log)]));
}

function size(data: Record<string, string>): number {
  return Object.entries(data).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
}

function oldestDelivered(logs: Map<string, OrgLog>): string | undefined {
  let best: { key: string; at: number } | undefined;
  for (const [key, log] of logs) {
    const first = log.events[0];
    if (first && first.seq <= log.acked && (!best || first.at < best.at)) best = { key, at: first.at };
  }
  return best?.key;
}

import type { V1ConfigMap } from "@kubernetes/client-node";
import { decodeRecord } from "./record-codec.ts";
import { type IdempotencyRecord, isExpired, STORE_KEY_LENGTH } from "./idempotency-store.ts";
import type { ShardClient } from "./shard-client.ts";

/**
 * Records of the store before the 512 shards: one data key per record in the tenant's state
 * ConfigMap, `idempotency.<40 characters of the same sha256>` (today's store keys are its first 24),
 * the value a JSON string of the same compact fields. NB: read, never written: during a roll an old
 * pod may have recorded a create whose retry reaches a new pod, which must replay it, not create a
 * second meeting. Old pods only ever write these, so the fallback matters for as long as they run
 * plus the records' 25 h; what a new pod decides goes into the shard, which wins from then on.
 */
export const LEGACY_PREFIX = "idempotency.";

export interface LegacyRecords {
  /** The key's live record in the old format, if any. */
  find(key: string, now: number): Promise<IdempotencyRecord | undefined>;
}

export function legacyRecords(client: ShardClient, stateConfigMap: string): LegacyRecords {
  // NB: the state ConfigMap may hold up to ~900 kB of old records: it is read again only when its
  // resourceVersion (a metadata-only GET) changed, and only its live records are kept.
  let cached: { readonly resourceVersion: string; readonly records: ReadonlyMap<string, IdempotencyRecord> } | undefined;
  return {
    async find(key, now) {
      const resourceVersion = await client.resourceVersion(stateConfigMap);
      if (resourceVersion === undefined) return undefined;
      if (cached?.resourceVersion !== resourceVersion) {
        const map = await client.read(stateConfigMap);
        cached = { resourceVersion: map?.metadata?.resourceVersion ?? "", records: indexLegacy(map, now) };
      }
      const record = cached.records.get(key);
      return record && !isExpired(record, now) ? record : undefined;
    },
  };
}

/** Live old-format records by today's store key; damaged ones read as absent, as in the shards. */
export function indexLegacy(map: V1ConfigMap | undefined, now: number): Map<string, IdempotencyRecord> {
  const records = new Map<string, IdempotencyRecord>();
  for (const [dataKey, value] of Object.entries(map?.data ?? {})) {
    if (!dataKey.startsWith(LEGACY_PREFIX)) continue;
    const record = decodeRecord(parseJson(value));
    if (record && record.state !== "gone" && !isExpired(record, now))
      records.set(dataKey.slice(LEGACY_PREFIX.length, LEGACY_PREFIX.length + STORE_KEY_LENGTH), record);
  }
  return records;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

// The idempotency store's shard ConfigMaps, named once: the tenant chart grants the service exactly
// these names and the service writes only these (service/meetings/configmap-idempotency-store.ts).

/**
 * NB: changing it re-homes every key (live records would be missed for up to their 25 h life):
 * a migration, not a setting. 512 keeps a shard near 5 kB at 20,000 creates per day.
 */
export const IDEMPOTENCY_SHARDS = 512;

/** `<state ConfigMap>-idem-<3 hex digits>`, e.g. `acme-zoom-state-idem-1ff`. */
export function idempotencyShardName(stateConfigMap: string, shard: number): string {
  return `${stateConfigMap}-idem-${shard.toString(16).padStart(3, "0")}`;
}

export function idempotencyShardNames(stateConfigMap: string): string[] {
  return Array.from({ length: IDEMPOTENCY_SHARDS }, (_, shard) => idempotencyShardName(stateConfigMap, shard));
}

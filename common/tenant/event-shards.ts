// The outbound event log's shard ConfigMaps, named once: the tenant chart grants the service exactly
// these names and the service writes only these (service/events/event-log.ts).

/**
 * NB: changing it re-homes every organization's log (retained events and cursors would be lost):
 * a migration, not a setting. An organization's whole log lives in one shard.
 */
export const EVENT_SHARDS = 8;

/** `<state ConfigMap>-events-<hex digit>`, e.g. `acme-zoom-state-events-7`. */
export function eventShardName(stateConfigMap: string, shard: number): string {
  return `${stateConfigMap}-events-${shard.toString(16)}`;
}

export function eventShardNames(stateConfigMap: string): string[] {
  return Array.from({ length: EVENT_SHARDS }, (_, shard) => eventShardName(stateConfigMap, shard));
}

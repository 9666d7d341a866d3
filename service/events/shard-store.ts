// The event log's shard ConfigMaps `<state>-events-<n>` (common/tenant/event-shards.ts) over raw
// JSON (common/kube/raw-client.ts: pooled connections). Every write is a compare-and-swap: a PUT
// with the read resourceVersion (409: read again) or, for a shard's first write, a POST (409
// AlreadyExists: read again). The API server's 429 is retried with a longer pause. Shards are owned
// by the state ConfigMap, so they go with the tenant.
import { type Backoff, retry } from "../../common/retry.ts";
import { type KubeAccess, KubeHttpError, rawRequest, resourcePath } from "../../common/kube/raw-client.ts";
import { eventShardName } from "../../common/tenant/event-shards.ts";
import { ErrorCode, ServiceError } from "../errors.ts";

export interface ShardMap {
  readonly metadata: { name: string; resourceVersion?: string; annotations?: Record<string, string>; uid?: string };
  readonly data?: Record<string, string>;
}

/** What a change writes: data and annotations replace the shard's (undefined: no write). */
export interface ShardWrite<T> {
  readonly result: T;
  readonly data?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface ShardStoreProps {
  readonly kc: KubeAccess;
  readonly namespace: string;
  /** The state ConfigMap: the shards' name prefix and owner. */
  readonly stateConfigMap: string;
}

const CONFLICT_BACKOFF: Backoff = { baseMs: 10, maxMs: 200, jitter: 1 };
/** NB: 429 from priority and fairness asks for a real pause, not the conflict's quick re-read. */
const THROTTLED_BACKOFF: Backoff = { baseMs: 250, maxMs: 2_000 };
const LABELS = { "app.kubernetes.io/managed-by": "zoom-integration-service", "app.kubernetes.io/component": "event-shard" };

class Conflict extends Error {}

export function createShardStore(props: ShardStoreProps) {
  const path = (name?: string) => resourcePath("v1", "configmaps", props.namespace, name);
  let owner: Promise<string> | undefined;

  /** `cached`: may be served from the API server's watch cache (polling); a write still compares. */
  async function read(shard: number, cached = false): Promise<ShardMap | undefined> {
    try {
      const query = cached ? { resourceVersion: "0" } : undefined;
      return await rawRequest<ShardMap>(props.kc, { method: "GET", path: path(eventShardName(props.stateConfigMap, shard)), query });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw unavailable("kubernetes", `An event shard could not be read (${describe(error)}).`, error);
    }
  }

  async function ownerUid(): Promise<string> {
    owner ??= rawRequest<ShardMap>(props.kc, { method: "GET", path: path(props.stateConfigMap) }).then(
      (m) => m.metadata.uid ?? "",
      (error: unknown) => {
        owner = undefined;
        throw unavailable("kubernetes", `The state ConfigMap could not be read (${describe(error)}).`, error);
      },
    );
    return owner;
  }

  async function write(shard: number, base: ShardMap | undefined, change: ShardWrite<unknown>): Promise<void> {
    const name = eventShardName(props.stateConfigMap, shard);
    const annotations = change.annotations ?? base?.metadata.annotations ?? {};
    const data = change.data ?? base?.data ?? {};
    try {
      if (base) {
        const body = { apiVersion: "v1", kind: "ConfigMap", ...base, metadata: { ...base.metadata, annotations }, data };
        await rawRequest(props.kc, { method: "PUT", path: path(name), body });
      } else {
        const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: props.stateConfigMap, uid: await ownerUid() }];
        const metadata = { name, labels: LABELS, annotations, ownerReferences };
        await rawRequest(props.kc, { method: "POST", path: path(), body: { apiVersion: "v1", kind: "ConfigMap", metadata, data } });
      }
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 404) throw new Conflict();
      if (status === 429) throw error;
      throw unavailable("kubernetes", `An event shard could not be written (${describe(error)}).`, error);
    }
  }

  /** Read, change, compare-and-swap, retried on conflict and throttling. */
  async function update<T>(shard: number, change: (map: ShardMap | undefined) => ShardWrite<T>): Promise<T> {
    return retry(
      async () => {
        const map = await read(shard);
        const planned = change(map);
        if (planned.data !== undefined || planned.annotations !== undefined) await write(shard, map, planned);
        return planned.result;
      },
      {
        attempts: 30,
        retryable: (error) => error instanceof Conflict || statusOf(error) === 429,
        backoffFor: ({ error }) => (statusOf(error) === 429 ? THROTTLED_BACKOFF : undefined),
        ...CONFLICT_BACKOFF,
      },
    ).catch((error: unknown) => {
      if (error instanceof Conflict) throw unavailable("conflict", "An event shard stayed contended; retry.");
      if (statusOf(error) === 429) throw unavailable("kubernetes", "The Kubernetes API kept throttling event writes; retry.", error);
      throw error;
    });
  }

  return { read, update };
}

export type ShardStore = ReturnType<typeof createShardStore>;

function statusOf(error: unknown): number | undefined {
  return error instanceof KubeHttpError ? error.code : undefined;
}

function describe(error: unknown): string {
  const status = statusOf(error);
  return status === undefined ? "network error" : `HTTP ${status}`;
}

export function unavailable(reason: "full" | "conflict" | "kubernetes", message: string, cause?: unknown): ServiceError {
  return new ServiceError(ErrorCode.EventsStoreUnavailable, message, { details: { reason }, cause, retryAfterSeconds: 5 });
}

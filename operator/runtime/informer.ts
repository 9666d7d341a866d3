// An informer: a cache of full objects kept by list + watch (list-watch.ts), calling back on every
// change. The cache is updated before the callback, so a callback sees a deleted object gone.
import type { KubernetesObject, ListPromise, ObjectCache } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { KubeAccess } from "../../common/kube/raw-client.ts";
import { guarded, type InformerHealth, startListWatch } from "./list-watch.ts";

export type { InformerHealth } from "./list-watch.ts";

export interface InformerProps<T extends KubernetesObject> {
  readonly kc: KubeAccess;
  /** Watch path, e.g. /apis/apps/v1/namespaces/ns/deployments or /api/v1/secrets. */
  readonly path: string;
  /** Every object of `path` with `labelSelector` (paginated: rawList), with the list's resourceVersion. */
  readonly list: ListPromise<T>;
  readonly labelSelector?: string;
  /** Called for every add, update and delete. Must not throw (it only enqueues). */
  readonly onEvent: (obj: T) => void;
  /** What the cache keeps of each object (slim.ts). @default the whole object */
  readonly keep?: (obj: T) => T;
  readonly log: Logger;
  readonly onRestart?: () => void;
}

export interface RunningInformer<T> {
  readonly cache: ObjectCache<T>;
  health(): InformerHealth;
  stop(): Promise<void>;
}

/** Synced when all are; failing since the earliest failure of any. */
export function combinedHealth(informers: readonly { health(): InformerHealth }[]): InformerHealth {
  const all = informers.map((i) => i.health());
  const since = all.flatMap((h) => (h.failingSince === undefined ? [] : [h.failingSince]));
  return { synced: all.every((h) => h.synced), ...(since.length > 0 ? { failingSince: Math.min(...since) } : {}) };
}

export async function startInformer<T extends KubernetesObject>(props: InformerProps<T>): Promise<RunningInformer<T>> {
  const store = new ObjectStore<T>();
  const notify = guarded(props.log, props.path, props.onEvent);
  const keep = props.keep ?? ((obj: T) => obj);
  const running = await startListWatch({
    kc: props.kc,
    watch: { path: props.path, query: { labelSelector: props.labelSelector } },
    list: async () => {
      const list = await props.list();
      props.log.debug({ path: props.path, items: list.items.length }, "informer listed");
      return list;
    },
    onList: (items) => {
      for (const obj of store.replace((items as T[]).map(keep))) notify(obj);
    },
    onChange: (type, obj) => {
      if (type === "DELETED") store.delete(obj as T);
      else store.set(keep(obj as T));
      notify(obj as T);
    },
    log: props.log,
    ...(props.onRestart ? { onRestart: props.onRestart } : {}),
  });
  return { cache: store, health: running.health, stop: running.stop };
}

const nameOf = (o: KubernetesObject) => o.metadata?.name ?? "";
const namespaceOf = (o: KubernetesObject) => o.metadata?.namespace ?? "";
const keyOf = (o: KubernetesObject) => `${namespaceOf(o)}/${nameOf(o)}`;

/** Objects by namespace, then name (a cluster-scoped object's namespace is ""). */
export class ObjectStore<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly byNamespace = new Map<string, Map<string, T>>();

  get(name: string, namespace?: string): T | undefined {
    return this.byNamespace.get(namespace ?? "")?.get(name);
  }

  list(namespace?: string): readonly T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    return [...this.byNamespace.values()].flatMap((objects) => [...objects.values()]);
  }

  set(obj: T): void {
    const namespace = namespaceOf(obj);
    const objects = this.byNamespace.get(namespace) ?? new Map<string, T>();
    objects.set(nameOf(obj), obj);
    this.byNamespace.set(namespace, objects);
  }

  delete(obj: T): void {
    const objects = this.byNamespace.get(namespaceOf(obj));
    objects?.delete(nameOf(obj));
    if (objects?.size === 0) this.byNamespace.delete(namespaceOf(obj));
  }

  /** Holds exactly `items`; returns what changed: new or changed objects, then the removed ones. */
  replace(items: readonly T[]): T[] {
    const changed: T[] = [];
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(keyOf(item));
      const held = this.get(nameOf(item), namespaceOf(item));
      if (held && held.metadata?.resourceVersion === item.metadata?.resourceVersion) continue;
      this.set(item);
      changed.push(item);
    }
    for (const held of this.list()) {
      if (listed.has(keyOf(held))) continue;
      this.delete(held);
      changed.push(held);
    }
    return changed;
  }
}

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
  /** @default AS_OBJECTS */
  readonly packing?: Packing<T>;
  readonly log: Logger;
  readonly onRestart?: () => void;
}

export interface RunningInformer<T> {
  readonly cache: ObjectCache<T> & { readonly size: number };
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
  const store = new ObjectStore<T>(props.packing);
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

/** How a store holds its objects: as they are, or packed (e.g. as JSON text) and unpacked on every read. */
export interface Packing<T> {
  pack(obj: T): unknown;
  unpack(held: unknown): T;
}

export const AS_OBJECTS: Packing<never> = { pack: (obj) => obj, unpack: (held) => held as never };
/**
 * NB: a parsed object costs V8 two to three times its JSON (a header, a shape and a field per value,
 * a string per value); its JSON text is one flat string. For objects read a few times per reconcile
 * (the children), parsing on each read is cheaper than keeping them parsed.
 */
export const AS_JSON: Packing<never> = { pack: (obj) => JSON.stringify(obj), unpack: (held) => JSON.parse(held as string) as never };

interface Entry {
  readonly resourceVersion: string | undefined;
  readonly held: unknown;
}

/** Objects by namespace, then name (a cluster-scoped object's namespace is ""). */
export class ObjectStore<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly byNamespace = new Map<string, Map<string, Entry>>();
  private readonly packing: Packing<T>;
  private count = 0;

  constructor(packing: Packing<T> = AS_OBJECTS) {
    this.packing = packing;
  }

  /** NB: packed, every call returns a fresh copy. */
  get(name: string, namespace?: string): T | undefined {
    const entry = this.byNamespace.get(namespace ?? "")?.get(name);
    return entry && this.packing.unpack(entry.held);
  }

  list(namespace?: string): readonly T[] {
    const unpack = (entries: Map<string, Entry>) => [...entries.values()].map((e) => this.packing.unpack(e.held));
    if (namespace !== undefined) return unpack(this.byNamespace.get(namespace) ?? new Map());
    return [...this.byNamespace.values()].flatMap(unpack);
  }

  /** Objects held (without unpacking them). */
  get size(): number {
    return this.count;
  }

  set(obj: T): void {
    const namespace = namespaceOf(obj);
    const entries = this.byNamespace.get(namespace) ?? new Map<string, Entry>();
    if (!entries.has(nameOf(obj))) this.count++;
    entries.set(nameOf(obj), { resourceVersion: obj.metadata?.resourceVersion, held: this.packing.pack(obj) });
    this.byNamespace.set(namespace, entries);
  }

  delete(obj: T): void {
    const entries = this.byNamespace.get(namespaceOf(obj));
    if (entries?.delete(nameOf(obj))) this.count--;
    if (entries?.size === 0) this.byNamespace.delete(namespaceOf(obj));
  }

  /** Holds exactly `items`; returns what changed: new or changed objects, then the removed ones. */
  replace(items: readonly T[]): T[] {
    const changed: T[] = [];
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(keyOf(item));
      const held = this.byNamespace.get(namespaceOf(item))?.get(nameOf(item));
      if (held && held.resourceVersion === item.metadata?.resourceVersion) continue;
      this.set(item);
      changed.push(item);
    }
    for (const [namespace, entries] of [...this.byNamespace]) {
      for (const [name, entry] of [...entries]) {
        if (listed.has(`${namespace}/${name}`)) continue;
        const gone = this.packing.unpack(entry.held);
        this.delete(gone);
        changed.push(gone);
      }
    }
    return changed;
  }
}

// An informer: a cache of full objects kept by list + watch (list-watch.ts), calling back on every
// change. The cache is updated before the callback, so a callback sees a deleted object gone.
import type { KubernetesListObject, KubernetesObject, ObjectCache } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { EachItem, KubeAccess } from "../../common/kube/raw-client.ts";
import { guarded, type InformerHealth, startListWatch } from "./list-watch.ts";

export type { InformerHealth } from "./list-watch.ts";

export interface InformerProps<T extends KubernetesObject> {
  readonly kc: KubeAccess;
  /** Watch path, e.g. /apis/apps/v1/namespaces/ns/deployments or /api/v1/secrets. */
  readonly path: string;
  /**
   * Every object of `path` with `labelSelector` (paginated: rawList), with the list's resourceVersion,
   * each passed through `each` as its page arrives (raw-client.ts EachItem: only what the cache
   * keeps outlives its page).
   */
  readonly list: (each: EachItem<T>) => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  /** Called for every add, update and delete. Must not throw (it only enqueues). */
  readonly onEvent: (obj: T) => void;
  /** What the cache keeps of each object (slim.ts). @default the whole object */
  readonly keep?: (obj: T) => T;
  /** @default AS_OBJECTS */
  readonly packing?: Packing<T>;
  /** The cache is listed by namespace on a hot path (ObjectStoreOptions). @default false */
  readonly indexNamespaces?: boolean;
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
  const store = new ObjectStore<T>(props.packing, { indexNamespaces: props.indexNamespaces ?? false });
  const notify = guarded(props.log, props.path, props.onEvent);
  const keep = props.keep ?? ((obj: T) => obj);
  const running = await startListWatch({
    kc: props.kc,
    watch: { path: props.path, query: { labelSelector: props.labelSelector } },
    list: async () => {
      const list = await props.list(keep);
      props.log.debug({ path: props.path, items: list.items.length }, "informer listed");
      return list;
    },
    // NB: the listed items have been through `keep` already, page by page.
    onList: (items) => {
      for (const obj of store.replace(items as T[])) notify(obj);
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

export interface ObjectStoreOptions {
  /**
   * Keep an index of names by namespace, for a store listed by namespace on a hot path (the
   * ZoomIntegrations). Without it, list(namespace) looks at every object held. @default false
   */
  readonly indexNamespaces?: boolean;
}

/**
 * Objects by `namespace/name` (a cluster-scoped object's namespace is ""). NB: one flat Map per
 * store: a Map per namespace costs ~200 bytes even for one object, and every tenant has its own
 * namespace in each of the dozen child stores (2.5 MiB of Maps at 1,000 tenants).
 */
export class ObjectStore<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly entries = new Map<string, Entry>();
  private readonly namesByNamespace: Map<string, Set<string>> | undefined;
  private readonly packing: Packing<T>;

  constructor(packing: Packing<T> = AS_OBJECTS, options: ObjectStoreOptions = {}) {
    this.packing = packing;
    this.namesByNamespace = options.indexNamespaces ? new Map() : undefined;
  }

  /** NB: packed, every call returns a fresh copy. */
  get(name: string, namespace?: string): T | undefined {
    const entry = this.entries.get(`${namespace ?? ""}/${name}`);
    return entry && this.packing.unpack(entry.held);
  }

  list(namespace?: string): readonly T[] {
    return this.keysIn(namespace).flatMap((key) => {
      const entry = this.entries.get(key);
      return entry ? [this.packing.unpack(entry.held)] : [];
    });
  }

  private keysIn(namespace: string | undefined): string[] {
    if (namespace === undefined) return [...this.entries.keys()];
    if (this.namesByNamespace) return [...(this.namesByNamespace.get(namespace) ?? [])].map((name) => `${namespace}/${name}`);
    return [...this.entries.keys()].filter((key) => key.startsWith(`${namespace}/`));
  }

  /** Objects held (without unpacking them). */
  get size(): number {
    return this.entries.size;
  }

  set(obj: T): void {
    const namespace = namespaceOf(obj);
    this.entries.set(keyOf(obj), { resourceVersion: obj.metadata?.resourceVersion, held: this.packing.pack(obj) });
    if (!this.namesByNamespace) return;
    const names = this.namesByNamespace.get(namespace) ?? new Set<string>();
    names.add(nameOf(obj));
    this.namesByNamespace.set(namespace, names);
  }

  delete(obj: T): void {
    this.entries.delete(keyOf(obj));
    const names = this.namesByNamespace?.get(namespaceOf(obj));
    names?.delete(nameOf(obj));
    if (names?.size === 0) this.namesByNamespace?.delete(namespaceOf(obj));
  }

  /** Holds exactly `items`; returns what changed: new or changed objects, then the removed ones. */
  replace(items: readonly T[]): T[] {
    const changed: T[] = [];
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(keyOf(item));
      const held = this.entries.get(keyOf(item));
      if (held && held.resourceVersion === item.metadata?.resourceVersion) continue;
      this.set(item);
      changed.push(item);
    }
    for (const [key, entry] of [...this.entries]) {
      if (listed.has(key)) continue;
      const gone = this.packing.unpack(entry.held);
      this.delete(gone);
      changed.push(gone);
    }
    return changed;
  }
}

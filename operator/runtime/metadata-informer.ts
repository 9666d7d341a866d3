// A metadata-only informer: lists and watches a collection as PartialObjectMetadata and keeps only
// each object's resourceVersion, so objects the operator does not own cost a few bytes each,
// whatever their size. The list + watch loop is list-watch.ts's, with a metadata Accept header.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  type KubeAccess,
  listAllPages,
  PARTIAL_OBJECT_METADATA,
  PARTIAL_OBJECT_METADATA_LIST,
  resourcePath,
} from "../../common/kube/raw-client.ts";
import { guarded, type InformerHealth, startListWatch } from "./list-watch.ts";

/** What an event says: the object's key and, unless it was deleted, its resourceVersion. */
export interface MetadataEvent {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string | undefined;
}

export interface MetadataInformerProps {
  readonly kc: KubeAccess;
  readonly apiVersion: string;
  readonly plural: string;
  /** Undefined: every namespace. */
  readonly namespace?: string;
  /** Called for every add, change and delete. Must not throw (it only enqueues). */
  readonly onEvent: (event: MetadataEvent) => void;
  readonly log: Logger;
  readonly onRestart?: () => void;
}

export interface RunningMetadataInformer {
  /** The object's resourceVersion as last seen, or undefined when the watch knows no such object. */
  resourceVersion(namespace: string, name: string): string | undefined;
  readonly size: number;
  /** Same meaning as a full informer's health (informer.ts): feeds /readyz and /healthz. */
  health(): InformerHealth;
  stop(): Promise<void>;
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
/** All the list keeps of an object, page by page: its labels, annotations and managedFields are garbage with their page. */
const keyAndVersion = (o: KubernetesObject): KubernetesObject => {
  const { namespace, name, resourceVersion } = o.metadata ?? {};
  return { metadata: { namespace, name, resourceVersion } };
};

export async function startMetadataInformer(props: MetadataInformerProps): Promise<RunningMetadataInformer> {
  const path = resourcePath(props.apiVersion, props.plural, props.namespace);
  const versions = new Map<string, string>();
  const notify = guarded(props.log, path, props.onEvent);

  /** Replaces the store with a fresh list; notifies what differs. */
  const onList = (items: readonly KubernetesObject[]) => {
    const seen = new Set<string>();
    for (const item of items) {
      const { namespace = "", name = "", resourceVersion } = item.metadata ?? {};
      const key = keyOf(namespace, name);
      seen.add(key);
      if (versions.get(key) === resourceVersion) continue;
      versions.set(key, resourceVersion ?? "");
      notify({ namespace, name, resourceVersion });
    }
    for (const key of [...versions.keys()].filter((k) => !seen.has(k))) {
      versions.delete(key);
      const [namespace = "", name = ""] = key.split("/");
      notify({ namespace, name, resourceVersion: undefined });
    }
  };

  const onChange = (type: string, object: KubernetesObject) => {
    const { namespace = "", name = "", resourceVersion } = object.metadata ?? {};
    const deleted = type === "DELETED";
    if (deleted) versions.delete(keyOf(namespace, name));
    else versions.set(keyOf(namespace, name), resourceVersion ?? "");
    notify({ namespace, name, resourceVersion: deleted ? undefined : resourceVersion });
  };

  const running = await startListWatch({
    kc: props.kc,
    watch: { path, accept: PARTIAL_OBJECT_METADATA },
    list: async () => {
      const list = await listAllPages(props.kc, { path, accept: PARTIAL_OBJECT_METADATA_LIST }, { each: keyAndVersion });
      props.log.debug({ path, items: list.items.length, pages: list.pages }, "metadata informer listed");
      return list;
    },
    onList,
    onChange,
    log: props.log,
    ...(props.onRestart ? { onRestart: props.onRestart } : {}),
  });
  return {
    resourceVersion: (namespace, name) => versions.get(keyOf(namespace, name)),
    get size() {
      return versions.size;
    },
    health: running.health,
    stop: running.stop,
  };
}

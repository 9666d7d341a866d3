// A metadata-only informer: lists and watches a collection as PartialObjectMetadata and keeps only
// each object's resourceVersion, so objects the operator does not own cost a few bytes each,
// whatever their size. NB: client-node's Watch sends only the KubeConfig's auth headers (no Accept
// header can be set), hence this small list + watch loop on undici (common/kube/raw-client.ts).
import type { InformerHealth } from "./informer.ts";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  KubeHttpError,
  listAllPages,
  PARTIAL_OBJECT_METADATA,
  PARTIAL_OBJECT_METADATA_LIST,
  rawWatch,
  resourcePath,
} from "../../common/kube/raw-client.ts";
import { type Backoff, backoffDelay } from "../../common/retry.ts";

/** What an event says: the object's key and, unless it was deleted, its resourceVersion. */
export interface MetadataEvent {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string | undefined;
}

export interface MetadataInformerProps {
  readonly kc: KubeConfig;
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

/** Like informer.ts: jittered, so informers that failed together do not all return together. */
// NB: capped at 5 s so reconciles resume within seconds of an API server's return, even after a long outage.
const RESTART_BACKOFF: Backoff = { baseMs: 500, maxMs: 5_000 };
/** The server ends each watch after 5 to 10 minutes (as client-go does), so a silent connection is noticed. */
const watchTimeoutSeconds = () => 300 + Math.floor(Math.random() * 300);

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

class GoneError extends Error {}

export async function startMetadataInformer(props: MetadataInformerProps): Promise<RunningMetadataInformer> {
  const path = resourcePath(props.apiVersion, props.plural, props.namespace);
  const versions = new Map<string, string>();
  const stopper = new AbortController();
  const notify = (event: MetadataEvent) => {
    try {
      props.onEvent(event);
    } catch (error) {
      props.log.error({ err: error, path }, "informer callback failed");
    }
  };

  let synced = false; // the first list is in the store
  let failingSince: number | undefined; // the first error since the watch last worked

  /** Replaces the store with a fresh list; notifies what differs. Returns the list's resourceVersion. */
  const relist = async (): Promise<string> => {
    const list = await listAllPages(props.kc, { path, accept: PARTIAL_OBJECT_METADATA_LIST });
    const seen = new Set<string>();
    for (const item of list.items) {
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
    props.log.debug({ path, items: list.items.length, pages: list.pages }, "metadata informer listed");
    return list.metadata?.resourceVersion ?? "";
  };

  /** Follows one watch until the server ends it; returns the last resourceVersion seen. */
  const watchFrom = async (from: string): Promise<string> => {
    let resourceVersion = from;
    const query = { resourceVersion, allowWatchBookmarks: "true" };
    const events = rawWatch(
      props.kc,
      { path, query, accept: PARTIAL_OBJECT_METADATA, timeoutSeconds: watchTimeoutSeconds() },
      stopper.signal,
      () => {
        failingSince = undefined; // NB: a quiet watch may send nothing for minutes: connected is healthy
      },
    );
    for await (const event of events) {
      if (event.type === "ERROR") {
        if (event.object.code === 410) throw new GoneError("the watch's resourceVersion is too old");
        throw new KubeHttpError(event.object.code ?? 500, event.object.message ?? "", `watch ${path}`);
      }
      resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
      if (event.type === "BOOKMARK") continue;
      apply(event.type === "DELETED", event.object);
    }
    return resourceVersion;
  };

  const apply = (deleted: boolean, object: KubernetesObject) => {
    const { namespace = "", name = "", resourceVersion } = object.metadata ?? {};
    if (deleted) versions.delete(keyOf(namespace, name));
    else versions.set(keyOf(namespace, name), resourceVersion ?? "");
    notify({ namespace, name, resourceVersion: deleted ? undefined : resourceVersion });
  };

  let failures = 0; // since the last successful list or watch
  const step = async (from: string): Promise<string> => {
    try {
      const next = from ? await watchFrom(from) : await relist();
      failures = 0;
      synced = true;
      failingSince = undefined;
      return next;
    } catch (error) {
      if (stopper.signal.aborted) return from;
      const gone = error instanceof GoneError || (error instanceof KubeHttpError && error.code === 410);
      if (gone) return ""; // relist at once
      failures++;
      failingSince ??= Date.now();
      const delay = backoffDelay(failures, RESTART_BACKOFF);
      props.log.warn({ err: error, path, retryInMs: delay }, "watch failed; restarting informer");
      props.onRestart?.();
      await abortableSleep(delay, stopper.signal);
      return from;
    }
  };

  let from = await step(""); // the first list is in the store (or has failed and will be retried)
  const loop = (async () => {
    while (!stopper.signal.aborted) from = await step(from);
  })();
  return {
    resourceVersion: (namespace, name) => versions.get(keyOf(namespace, name)),
    get size() {
      return versions.size;
    },
    health: () => ({ synced, ...(failingSince === undefined ? {} : { failingSince }) }),
    stop: async () => {
      stopper.abort();
      await loop;
    },
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

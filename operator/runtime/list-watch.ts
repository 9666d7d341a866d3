// The loop under both informers (informer.ts: full objects; metadata-informer.ts: resourceVersions):
// list, watch from the list's resourceVersion with bookmarks, relist at once on 410 Gone, back off
// with jitter on any other error, and never stop until told to. Raw JSON over undici
// (common/kube/raw-client.ts): client-node's informer would cost the process its 50-70 MiB import.
import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { KubeHttpError, type RawRequest, rawWatch, type KubeAccess } from "../../common/kube/raw-client.ts";
import { type Backoff, backoffDelay } from "../../common/retry.ts";

/** What the probes need to know of one informer (or of all of a controller's). */
export interface InformerHealth {
  /** The first list is in the cache. */
  readonly synced: boolean;
  /** Epoch ms of the first error since the watch last worked; absent while it works. */
  readonly failingSince?: number;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface ListWatchProps {
  readonly kc: KubeAccess;
  /** The collection's path (resourcePath), its query (e.g. labelSelector) and the watch's Accept header. */
  readonly watch: Pick<RawRequest, "path" | "query" | "accept">;
  /** Every object of the collection (paginated), with the list's resourceVersion. */
  readonly list: () => Promise<KubernetesListObject<KubernetesObject>>;
  /** Replaces the store with a complete list. */
  readonly onList: (items: readonly KubernetesObject[]) => void;
  /** Applies one watch event to the store. */
  readonly onChange: (type: ChangeType, obj: KubernetesObject) => void;
  readonly log: Logger;
  readonly onRestart?: () => void;
}

export interface RunningListWatch {
  health(): InformerHealth;
  stop(): Promise<void>;
}

/** Jittered (the default): all informers fail together when the API server restarts; they should not all return together. */
// NB: capped at 5 s so reconciles resume within seconds of an API server's return, even after a long outage.
const RESTART_BACKOFF: Backoff = { baseMs: 500, maxMs: 5_000 };

class GoneError extends Error {}

/** Resolves once the first list is in the store, or has failed (then it is retried with backoff). */
export async function startListWatch(props: ListWatchProps): Promise<RunningListWatch> {
  const { path } = props.watch;
  const stopper = new AbortController();
  let synced = false;
  let failingSince: number | undefined;

  const relist = async (): Promise<string> => {
    const list = await props.list();
    props.onList(list.items);
    return list.metadata?.resourceVersion ?? "";
  };

  /** Follows one watch until the server ends it; returns the last resourceVersion seen. */
  const watchFrom = async (from: string): Promise<string> => {
    let resourceVersion = from;
    const query = { ...props.watch.query, resourceVersion, allowWatchBookmarks: "true" };
    // NB: no timeoutSeconds: the server's --min-request-timeout ends each watch (30-60 min by default,
    // 10-20 s in the test control plane, whose tests count on a re-watch that soon).
    const req = { ...props.watch, query };
    const events = rawWatch(props.kc, req, stopper.signal, () => {
      failingSince = undefined; // NB: a quiet watch may send nothing for minutes: connected is healthy
    });
    for await (const event of events) {
      if (event.type === "ERROR") {
        if (event.object.code === 410) throw new GoneError("the watch's resourceVersion is too old");
        throw new KubeHttpError(event.object.code ?? 500, event.object.message ?? "", `watch ${path}`);
      }
      resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
      if (event.type !== "BOOKMARK") props.onChange(event.type, event.object);
    }
    return resourceVersion;
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
      if (error instanceof GoneError || (error instanceof KubeHttpError && error.code === 410)) {
        // NB: the usual sequel of an API server restart (its watch cache starts at a newer resourceVersion).
        props.log.info({ path }, "the watch's resourceVersion expired (410 Gone): listing again");
        return ""; // relist at once: onList reports what changed meanwhile, deletions included
      }
      failures++;
      failingSince ??= Date.now();
      const delay = backoffDelay(failures, RESTART_BACKOFF);
      props.log.warn({ err: error, path, retryInMs: delay }, "watch failed; restarting informer");
      props.onRestart?.();
      await abortableSleep(delay, stopper.signal);
      return from;
    }
  };

  let from = await step("");
  const loop = (async () => {
    while (!stopper.signal.aborted) from = await step(from);
  })();
  return {
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

/** `fn`, logging what it throws instead: one bad callback must not stop the watch. */
export function guarded<A extends unknown[]>(log: Logger, path: string, fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (error) {
      log.error({ err: error, path }, "informer callback failed");
    }
  };
}

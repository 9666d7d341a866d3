// A restartable informer. NB: client-node 2.x stops an informer on any watch error other than 410
// and never restarts it, and it does not await callbacks (a throw becomes an unhandled
// rejection). So callbacks here only enqueue, and an errored informer is restarted with backoff.
import { type KubeConfig, type KubernetesObject, type ListPromise, makeInformer, type ObjectCache } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { type Backoff, backoffDelay } from "../../common/retry.ts";

export interface InformerProps<T extends KubernetesObject> {
  readonly kc: KubeConfig;
  /** Watch path, e.g. /apis/apps/v1/namespaces/ns/deployments or /api/v1/secrets. */
  readonly path: string;
  readonly list: ListPromise<T>;
  readonly labelSelector?: string;
  /** Called for every add, update and delete. Must not throw (it only enqueues). */
  readonly onEvent: (obj: T) => void;
  readonly log: Logger;
  readonly onRestart?: () => void;
}

/** What the probes need to know of one informer (or of all of a controller's). */
export interface InformerHealth {
  /** The first list is in the cache. */
  readonly synced: boolean;
  /** Epoch ms of the first error since the watch last worked; absent while it works. */
  readonly failingSince?: number;
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

/** Jittered (the default): all informers fail together when the API server restarts; they should not all return together. */
// NB: capped at 5 s so reconciles resume within seconds of an API server's return, even after a long outage.
const RESTART_BACKOFF: Backoff = { baseMs: 500, maxMs: 5_000 };

export async function startInformer<T extends KubernetesObject>(props: InformerProps<T>): Promise<RunningInformer<T>> {
  let synced = false;
  const list: ListPromise<T> = async () => {
    const result = await props.list();
    synced = true; // NB: client-node fills the cache right after this resolves, before any probe can ask
    return result;
  };
  const informer = makeInformer<T>(props.kc, props.path, list, props.labelSelector);
  let stopped = false;
  let failures = 0; // since the watch last worked
  let failingSince: number | undefined;
  /** Starts (lists if needed, then watches); healthy again when no error came while doing so. */
  const start = async () => {
    const before = failures;
    await informer.start(); // NB: resolves on failure too (reported through "error"), once the watch is open otherwise
    if (failures === before && !stopped) {
      failures = 0;
      failingSince = undefined;
    }
  };
  const safe = (obj: T) => {
    try {
      props.onEvent(obj);
    } catch (error) {
      props.log.error({ err: error, path: props.path }, "informer callback failed");
    }
  };
  informer.on("add", safe);
  informer.on("update", safe);
  informer.on("delete", safe);
  // NB: not on "connect": client-node emits it before the list, which may still fail.
  informer.on("error", (error: unknown) => {
    if (stopped) return;
    failures++;
    failingSince ??= Date.now();
    const delay = backoffDelay(failures, RESTART_BACKOFF);
    props.log.warn({ err: error, path: props.path, retryInMs: delay }, "watch failed; restarting informer");
    props.onRestart?.();
    setTimeout(() => {
      if (!stopped) start().catch(() => {}); // a failing start reports through "error" again
    }, delay).unref();
  });
  await start();
  return {
    cache: informer,
    health: () => ({ synced, ...(failingSince === undefined ? {} : { failingSince }) }),
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}

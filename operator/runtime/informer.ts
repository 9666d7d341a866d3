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

export interface RunningInformer<T> {
  readonly cache: ObjectCache<T>;
  stop(): Promise<void>;
}

/** Jittered (the default): all informers fail together when the API server restarts; they should not all return together. */
const RESTART_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

export async function startInformer<T extends KubernetesObject>(props: InformerProps<T>): Promise<RunningInformer<T>> {
  const informer = makeInformer<T>(props.kc, props.path, props.list, props.labelSelector);
  let stopped = false;
  let failures = 0; // since the last successful connect
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
  informer.on("connect", () => {
    failures = 0;
  });
  informer.on("error", (error: unknown) => {
    if (stopped) return;
    failures++;
    const delay = backoffDelay(failures, RESTART_BACKOFF);
    props.log.warn({ err: error, path: props.path, retryInMs: delay }, "watch failed; restarting informer");
    props.onRestart?.();
    setTimeout(() => {
      if (!stopped) informer.start().catch(() => {}); // a failing start reports through "error" again
    }, delay).unref();
  });
  await informer.start(); // resolves once the first list is in the cache
  return {
    cache: informer,
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}

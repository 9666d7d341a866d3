// How many objects of a collection are in some state, kept up to date by a watch. NB: the benchmark
// used to poll with a LIST every 500 ms: a LIST of a thousand ZoomIntegrations (or two thousand
// Deployments) twice a second is load on kube-apiserver, the very resource being measured, and it
// fell on the operator's phase for its whole duration but on the floor only after its applies.
import { type KubeConfig, Watch } from "@kubernetes/client-node";
import { sleep } from "./bench-plane.ts";

interface Named {
  metadata?: { name?: string; namespace?: string };
}

export interface WatchedCount {
  /** Objects seen in the state now. */
  count(): number;
  stop(): void;
}

/**
 * Watches `path` (a collection, every namespace) and counts the objects for which `counted` holds.
 * NB: opened without a resourceVersion, a watch starts with every current object (ADDED), so a
 * reopened watch (they were seen to end on this machine under load) catches up by itself.
 */
export function watchCount<T extends Named>(kc: KubeConfig, path: string, counted: (obj: T) => boolean): WatchedCount {
  const matching = new Set<string>();
  let stopped = false;
  let current: AbortController | undefined;
  const start = async (): Promise<void> => {
    if (stopped) return;
    try {
      current = await new Watch(kc).watch(
        path,
        {},
        (phase, obj: T) => {
          if (phase === "ERROR" || phase === "BOOKMARK") return;
          const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
          if (phase !== "DELETED" && counted(obj)) matching.add(key);
          else matching.delete(key);
        },
        () => {
          if (!stopped) void sleep(200).then(start);
        },
      );
    } catch {
      if (!stopped) void sleep(1000).then(start);
    }
  };
  void start();
  return {
    count: () => matching.size,
    stop: () => {
      stopped = true;
      current?.abort();
    },
  };
}

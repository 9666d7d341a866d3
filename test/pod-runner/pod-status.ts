// The pod status the runner owns for the pods it runs (kubelet's part): Ready and ContainersReady
// conditions and containerStatuses, from the real processes. Pure: decides whether a patch is
// needed and builds it.
import type { V1ContainerStatus, V1Pod, V1PodCondition } from "@kubernetes/client-node";
import type { ContainerState } from "./container-process.ts";

const OWNED_CONDITIONS = ["Ready", "ContainersReady"] as const;

function containerStatus(s: ContainerState, previous: V1ContainerStatus | undefined): Record<string, unknown> {
  const state = s.running
    ? { running: { startedAt: s.startedAt } }
    : { waiting: { reason: s.restarts > 0 ? "CrashLoopBackOff" : "ContainerCreating" } };
  const lastState = s.lastExitCode === undefined ? (previous?.lastState ?? {}) : { terminated: { exitCode: s.lastExitCode } };
  return {
    name: s.name,
    image: s.image,
    imageID: previous?.imageID ?? "",
    ready: s.ready,
    started: s.running,
    restartCount: s.restarts,
    state,
    lastState,
  };
}

function sameContainer(want: ContainerState, have: V1ContainerStatus | undefined): boolean {
  if (!have) return false;
  const startedAt = have.state?.running?.startedAt;
  const haveStarted = startedAt === undefined ? undefined : new Date(startedAt).toISOString().replace(/\.\d+Z$/, "Z");
  const wantStarted = want.startedAt?.replace(/\.\d+Z$/, "Z");
  return (
    have.ready === want.ready &&
    (have.started ?? false) === want.running &&
    have.restartCount === want.restarts &&
    (want.running ? haveStarted === wantStarted : have.state?.running === undefined)
  );
}

/**
 * A strategic-merge patch for pods/status when the pod's status disagrees with the processes,
 * else undefined. `lastTransitionTime` moves only when a condition's status flips.
 */
export function statusPatch(pod: V1Pod, states: readonly ContainerState[], now: Date): object | undefined {
  const ready = states.length > 0 && states.every((s) => s.ready);
  const status = ready ? "True" : "False";
  const have = pod.status?.containerStatuses ?? [];
  const conditions = new Map((pod.status?.conditions ?? []).map((c): [string, V1PodCondition] => [c.type, c]));
  const conditionsAgree = OWNED_CONDITIONS.every((t) => conditions.get(t)?.status === status);
  const containersAgree =
    states.length === have.length &&
    states.every((s) =>
      sameContainer(
        s,
        have.find((h) => h.name === s.name),
      ),
    );
  if (conditionsAgree && containersAgree) return undefined;
  return {
    status: {
      // NB: conditions merge by type; containerStatuses is an atomic list, so it is sent whole.
      conditions: OWNED_CONDITIONS.map((type) => {
        const previous = conditions.get(type);
        const flipped = previous?.status !== status;
        return {
          type,
          status,
          lastTransitionTime: flipped ? now.toISOString().replace(/\.\d+Z$/, "Z") : previous?.lastTransitionTime,
          reason: ready ? null : "ContainersNotReady",
          message: ready
            ? null
            : `containers with unready status: [${states
                .filter((s) => !s.ready)
                .map((s) => s.name)
                .join(" ")}]`,
        };
      }),
      containerStatuses: states.map((s) =>
        containerStatus(
          s,
          have.find((h) => h.name === s.name),
        ),
      ),
    },
  };
}

/** Readiness as stopping the runner leaves it: nothing runs, nothing is ready. */
export function notReadyPatch(pod: V1Pod, now: Date): object | undefined {
  const states: ContainerState[] = (pod.spec?.containers ?? []).map((c) => {
    const prev = pod.status?.containerStatuses?.find((h) => h.name === c.name);
    return {
      name: c.name,
      image: c.image ?? "",
      pid: undefined,
      running: false,
      ready: false,
      restarts: prev?.restartCount ?? 0,
      startedAt: undefined,
      lastExitCode: undefined,
    };
  });
  return statusPatch(pod, states, now);
}

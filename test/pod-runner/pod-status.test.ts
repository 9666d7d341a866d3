import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ContainerState } from "./container-process.ts";
import { statusPatch } from "./pod-status.ts";

const now = new Date("2026-01-02T03:04:05.678Z");
const running: ContainerState = {
  name: "service",
  image: "img",
  pid: 42,
  running: true,
  ready: true,
  restarts: 0,
  startedAt: "2026-01-02T03:00:00.123Z",
  lastExitCode: undefined,
};
const podWith = (ready: "True" | "False", containerReady: boolean): V1Pod => ({
  status: {
    conditions: [
      { type: "Ready", status: ready, lastTransitionTime: "2026-01-01T00:00:00Z" as unknown as Date },
      { type: "ContainersReady", status: ready, lastTransitionTime: "2026-01-01T00:00:00Z" as unknown as Date },
    ],
    containerStatuses: [
      {
        name: "service",
        image: "img",
        imageID: "",
        ready: containerReady,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: "2026-01-02T03:00:00Z" as unknown as Date } },
      },
    ],
  },
});

describe("statusPatch", () => {
  it("sends nothing when the pod already shows what the processes are", () => {
    expect(statusPatch(podWith("True", true), [running], now)).toBeUndefined();
  });

  it("turns Ready and ContainersReady True when every container is ready, moving lastTransitionTime", () => {
    const patch = statusPatch(podWith("False", false), [running], now) as {
      status: { conditions: unknown[]; containerStatuses: unknown[] };
    };
    expect(patch.status.conditions).toEqual([
      { type: "Ready", status: "True", lastTransitionTime: "2026-01-02T03:04:05Z", reason: null, message: null },
      { type: "ContainersReady", status: "True", lastTransitionTime: "2026-01-02T03:04:05Z", reason: null, message: null },
    ]);
    expect(patch.status.containerStatuses).toMatchObject([{ name: "service", ready: true, started: true, restartCount: 0 }]);
  });

  it("reports a crashed container as not ready with its restart count, keeping lastTransitionTime when Ready stays False", () => {
    const crashed: ContainerState = { ...running, pid: undefined, running: false, ready: false, restarts: 2, lastExitCode: 1 };
    const patch = statusPatch(podWith("False", false), [crashed], now) as {
      status: { conditions: { lastTransitionTime: unknown }[]; containerStatuses: unknown[] };
    };
    expect(patch.status.conditions[0]?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
    expect(patch.status.containerStatuses).toMatchObject([
      {
        ready: false,
        started: false,
        restartCount: 2,
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1 } },
      },
    ]);
  });
});

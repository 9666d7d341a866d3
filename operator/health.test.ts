import { describe, expect, it } from "vitest";
import { type HealthInputs, liveness, readiness } from "./health.ts";

const NOW = 1_000_000_000;
const BOUND = 300_000;
const base = { now: NOW, stuckAfterMs: BOUND };
const synced = { synced: true };
const failing = (ms: number) => ({ synced: true, failingSince: NOW - ms });
const standby = { leading: false, attempted: true };
const leader = { leading: true, attempted: true };

describe("readiness and liveness", () => {
  const cases: [string, HealthInputs, boolean, boolean, RegExp?][] = [
    [
      "a leader whose caches are synced and whose watches work is ready and alive",
      { ...base, controller: synced, election: leader },
      true,
      true,
    ],
    ["without leader election, synced caches make it ready", { ...base, controller: synced }, true, true],
    [
      "a leader whose caches are not synced yet is not ready, but alive",
      { ...base, controller: { synced: false }, election: leader },
      false,
      true,
      /not synced/,
    ],
    [
      "a leader that won the Lease but has not started its controller yet is not ready",
      { ...base, election: leader },
      false,
      true,
      /starting/,
    ],
    [
      "a replica whose watch fails (e.g. RBAC withdrawn) is not ready: it reconciles on a stale cache",
      { ...base, controller: failing(10_000), election: leader },
      false,
      true,
      /failing for 10 s/,
    ],
    [
      "a watch failing for longer than the bound fails liveness too, so the kubelet restarts the process",
      { ...base, controller: failing(BOUND + 1000) },
      false,
      false,
      /failing for 301 s/,
    ],
    ["a watch failing for exactly the bound is still alive", { ...base, controller: failing(BOUND) }, false, true],
    ["a standby that reaches its Lease is ready: it can take over", { ...base, election: standby }, true, true],
    [
      "a standby that cannot update its Lease is not ready, and says why",
      { ...base, election: { ...standby, problem: "the namespace zis does not exist" } },
      false,
      true,
      /leader election: the namespace zis does not exist/,
    ],
    [
      "a standby that has not checked the Lease yet is not ready",
      { ...base, election: { leading: false, attempted: false } },
      false,
      true,
      /not checked yet/,
    ],
  ];
  it.each(cases)("%s", (_name, inputs, ready, alive, reason) => {
    const r = readiness(inputs);
    const l = liveness(inputs);
    expect(r.ok).toBe(ready);
    expect(l.ok).toBe(alive);
    if (reason) expect(`${r.reason} ${l.reason}`).toMatch(reason);
    for (const verdict of [r, l]) expect(verdict.reason).not.toContain("\n");
  });
});

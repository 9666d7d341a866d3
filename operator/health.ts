// What /readyz and /healthz answer, decided by pure functions of what this replica knows: the
// health of its controller's informers and of its part in the leader election.
import type { InformerHealth } from "./runtime/informer.ts";
import type { ElectionStatus } from "./runtime/leader-election.ts";

export interface HealthInputs {
  /** Epoch ms. */
  readonly now: number;
  /** How long a watch may keep failing before the process counts as stuck (liveness fails). */
  readonly stuckAfterMs: number;
  /** The controller's informers, once it runs (on the leader, or always without election). */
  readonly controller?: InformerHealth;
  /** This replica's part in the leader election; absent when election is off. */
  readonly election?: ElectionStatus;
}

/** `reason` is one line for the probe's answer (and for whoever curls it). */
export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Ready: this replica can do its job. The one running the controller once its caches are synced
 * and while no watch fails (else it reconciles on a stale cache); a standby while it can take over
 * (it reaches its Lease).
 */
export function readiness(i: HealthInputs): Verdict {
  if (i.controller) {
    if (!i.controller.synced) return { ok: false, reason: "caches not synced yet" };
    if (i.controller.failingSince !== undefined) {
      return { ok: false, reason: `a watch has been failing for ${seconds(i.now - i.controller.failingSince)}: cannot reconcile` };
    }
    return { ok: true, reason: "ok" };
  }
  if (i.election && !i.election.leading) {
    if (!i.election.attempted) return { ok: false, reason: "standby: the Lease was not checked yet" };
    if (i.election.problem) return { ok: false, reason: `cannot take part in leader election: ${i.election.problem}` };
    return { ok: true, reason: "ok (standby, can take over)" };
  }
  return { ok: false, reason: "starting the controller" };
}

/** Alive: fails only when restarting the process may help, i.e. a watch stuck failing for longer than the bound. */
export function liveness(i: HealthInputs): Verdict {
  const since = i.controller?.failingSince;
  if (since !== undefined && i.now - since > i.stuckAfterMs) {
    return { ok: false, reason: `a watch has been failing for ${seconds(i.now - since)} (bound ${seconds(i.stuckAfterMs)})` };
  }
  return { ok: true, reason: "ok" };
}

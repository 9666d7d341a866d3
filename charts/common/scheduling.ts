// Scheduling shared by every Deployment this product renders (the operator's and each tenant's).
import type { k8s } from "cdk8s-plus-27";

/**
 * Replicas spread over nodes when possible, so one node's loss never takes every replica; never a
 * hard constraint (ScheduleAnyway), so a one-node cluster still runs them all.
 */
export function spreadOverNodes(matchLabels: Record<string, string>): k8s.TopologySpreadConstraint[] {
  return [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels } }];
}

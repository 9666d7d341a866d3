// renderTenant: the desired children of one ZoomIntegration as plain JSON objects, in apply order.
// Runs on every reconcile, so it stays pure and cheap: one in-memory App, no synth to disk.
import { App } from "cdk8s";
import { canonicalCopy } from "../../common/canonical-json.ts";
import type { TenantProps } from "./props.ts";
import { TenantChart } from "./tenant-chart.ts";

/** A rendered Kubernetes object, ready for server-side apply. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly ownerReferences?: readonly Record<string, unknown>[];
  };
  readonly [field: string]: unknown;
}

/**
 * Apply order: identity and data before the pods that mount them, the NetworkPolicy before the pods
 * it guards, the Service and the pods before the route (Ingress or HTTPRoute) to them.
 */
export const APPLY_ORDER: readonly string[] = [
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "Secret",
  "ConfigMap",
  "NetworkPolicy",
  "Service",
  "Deployment",
  "PodDisruptionBudget",
  "Ingress",
  "HTTPRoute",
];

/** Validates `props` (throws `InvalidTenantPropsError`) and returns the tenant's objects in apply order. */
export function renderTenant(props: TenantProps): KubeObject[] {
  // NB: not Testing.app(): it makes a temp directory per call, which leaks in a long-running operator.
  // outdir and recordConstructMetadata are passed so that no environment variable is read.
  const app = new App({ outdir: "dist", recordConstructMetadata: false });
  const chart = new TenantChart(app, props.name, props);
  const objects = (chart.toJson() as KubeObject[]).map((object) => canonicalCopy(object, withoutCdk8sKeys));
  return objects.sort(byApplyOrder);
}

function byApplyOrder(a: KubeObject, b: KubeObject): number {
  const rank = (o: KubeObject) => APPLY_ORDER.indexOf(o.kind);
  return rank(a) - rank(b) || compare(a.metadata.name, b.metadata.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Drops cdk8s's own labels. Keys are sorted by canonicalCopy.
 * NB: cdk8s sorts keys unless CDK8S_DISABLE_SORT is set, so the output would otherwise depend on the environment.
 */
function withoutCdk8sKeys(key: string, value: unknown): unknown {
  return key.startsWith("cdk8s.io/") ? undefined : value;
}

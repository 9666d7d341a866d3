// Inputs of the install bundle, their documented defaults and their eager validation (cdk8s-plus
// style: every problem listed at once, each naming the field).

import { resourceQuantityProblem } from "../../common/kube/quantity.ts";
import { RELEASE_IMAGE } from "../../common/tenant/contract.ts";

/** The image published for this version; `operator/config.ts` uses the same default for SERVICE_IMAGE. */
export const DEFAULT_IMAGE = RELEASE_IMAGE;
export const DEFAULT_NAMESPACE = "zoom-integration-system";

export interface Quantities {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface InstallResources {
  readonly requests?: Quantities;
  readonly limits?: Quantities;
}

export interface InstallProps {
  /** Namespace of the operator's Deployment, ServiceAccount and Lease. @default "zoom-integration-system" */
  readonly namespace?: string;
  /** The one image: the operator runs it with `operator`, and stamps it into tenants with `service`. @default DEFAULT_IMAGE */
  readonly image?: string;
  /**
   * Namespaces the operator watches and writes. Empty: every namespace, granted by a ClusterRoleBinding;
   * otherwise a RoleBinding in each listed namespace and nothing elsewhere. @default []
   */
  readonly watchNamespaces?: readonly string[];
  /** Operator replicas; one leads (Lease), the others stand by. @default 2 */
  readonly replicas?: number;
  /** @default requests 50m CPU / 128Mi, limit 512Mi memory (no CPU limit: no throttling of a mostly idle process) */
  readonly resources?: InstallResources;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /**
   * The operator's V8 heap limit as a percentage of the container's memory limit (Node's
   * `--max-old-space-size-percentage`, which reads the cgroup limit), so raising the limit raises
   * the heap. The rest is left for what is not heap: code, buffers, the young generation. @default 75
   */
  readonly heapPercentage?: number;
  /** Extra labels on every object of the bundle (the CRD aside) and on the operator's pods. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra annotations on the operator's pods. @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** The operator pods' PriorityClass; the cluster's default when unset. */
  readonly priorityClassName?: string;
  /** @default {} (any node) */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly tolerations?: readonly Toleration[];
  /**
   * Who may scrape each tenant service's metrics port: its NetworkPolicy admits these pods there
   * (the operator's METRICS_SCRAPERS). @default DEFAULT_METRICS_SCRAPERS
   */
  readonly metricsScrapers?: MetricsScrapers;
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** A NetworkPolicy peer: pods matching `podSelector` in namespaces matching `namespaceSelector`. */
export interface MetricsScrapers {
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
}

/** kube-prometheus-stack's Prometheus pods in the `monitoring` namespace. */
export const DEFAULT_METRICS_SCRAPERS: MetricsScrapers = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
  podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
};

export interface Toleration {
  readonly key?: string;
  readonly operator?: "Exists" | "Equal";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  readonly tolerationSeconds?: number;
}

export interface ResolvedInstallProps {
  readonly namespace: string;
  readonly image: string;
  readonly watchNamespaces: readonly string[];
  readonly replicas: number;
  readonly resources: { readonly requests: Quantities; readonly limits: Quantities };
  readonly imagePullPolicy: string;
  readonly heapPercentage: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly priorityClassName?: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly metricsScrapers: MetricsScrapers;
}

export const DEFAULT_RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } } as const;
export const DEFAULT_HEAP_PERCENTAGE = 75;
/** Below, the heap is too small to be useful; above, what is not heap pushes the process over the limit (OOMKilled). */
const HEAP_PERCENTAGE_RANGE = [10, 90] as const;

/** Thrown by `resolveInstallProps`, listing every problem. */
export class InvalidInstallPropsError extends Error {
  readonly code = "InvalidInstallProps";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid install props: ${problems.join("; ")}`);
    this.name = "InvalidInstallPropsError";
    this.problems = problems;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_REPLICAS = 10;

/** Fills in the defaults and validates; throws `InvalidInstallPropsError` naming every bad field. */
export function resolveInstallProps(props: InstallProps = {}): ResolvedInstallProps {
  const resolved: ResolvedInstallProps = {
    namespace: props.namespace ?? DEFAULT_NAMESPACE,
    image: props.image ?? DEFAULT_IMAGE,
    watchNamespaces: [...(props.watchNamespaces ?? [])],
    replicas: props.replicas ?? 2,
    resources: {
      requests: { ...(props.resources?.requests ?? DEFAULT_RESOURCES.requests) },
      limits: { ...(props.resources?.limits ?? DEFAULT_RESOURCES.limits) },
    },
    imagePullPolicy: props.imagePullPolicy ?? "IfNotPresent",
    heapPercentage: props.heapPercentage ?? DEFAULT_HEAP_PERCENTAGE,
    labels: { ...props.labels },
    podAnnotations: { ...props.podAnnotations },
    ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
    nodeSelector: { ...props.nodeSelector },
    tolerations: [...(props.tolerations ?? [])],
    metricsScrapers: props.metricsScrapers ?? DEFAULT_METRICS_SCRAPERS,
  };
  const problems: string[] = [];
  const label = (field: string, value: string) => {
    if (!DNS_LABEL.test(value) || value.length > 63) problems.push(`${field} must be a DNS label, got ${JSON.stringify(value)}`);
  };
  label("namespace", resolved.namespace);
  for (const [i, ns] of resolved.watchNamespaces.entries()) label(`watchNamespaces[${i}]`, ns);
  if (new Set(resolved.watchNamespaces).size !== resolved.watchNamespaces.length)
    problems.push("watchNamespaces must not repeat a namespace");
  if (!/^\S+$/.test(resolved.image))
    problems.push(`image must be a non-empty image reference without spaces, got ${JSON.stringify(resolved.image)}`);
  if (!Number.isInteger(resolved.replicas) || resolved.replicas < 1 || resolved.replicas > MAX_REPLICAS) {
    problems.push(`replicas must be an integer from 1 to ${MAX_REPLICAS}, got ${resolved.replicas}`);
  }
  for (const [kind, quantities] of Object.entries(resolved.resources)) {
    for (const [resource, value] of Object.entries(quantities as Quantities)) {
      const problem = value === undefined ? undefined : resourceQuantityProblem(value);
      if (problem) problems.push(`resources.${kind}.${resource} ${problem}`);
    }
  }
  if (!["Always", "IfNotPresent", "Never"].includes(resolved.imagePullPolicy)) {
    problems.push(`imagePullPolicy must be Always, IfNotPresent or Never, got ${JSON.stringify(resolved.imagePullPolicy)}`);
  }
  const [minHeap, maxHeap] = HEAP_PERCENTAGE_RANGE;
  if (!Number.isFinite(resolved.heapPercentage) || resolved.heapPercentage < minHeap || resolved.heapPercentage > maxHeap) {
    problems.push(
      `heapPercentage must be a number from ${minHeap} to ${maxHeap} (percent of the memory limit), got ${resolved.heapPercentage}`,
    );
  }
  problems.push(...schedulingProblems(resolved));
  if (problems.length > 0) throw new InvalidInstallPropsError(problems);
  return resolved;
}

/** Label keys: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const TOLERATION_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

function schedulingProblems(props: ResolvedInstallProps): string[] {
  const problems: string[] = [];
  for (const [field, map] of [
    ["labels", props.labels],
    ["nodeSelector", props.nodeSelector],
  ] as const) {
    for (const [key, value] of Object.entries(map)) {
      if (!LABEL_KEY.test(key)) problems.push(`${field} key ${JSON.stringify(key)} is not a valid label key`);
      if (typeof value !== "string" || !LABEL_VALUE.test(value))
        problems.push(`${field}.${key} must be a label value (63 characters at most), got ${JSON.stringify(value)}`);
    }
  }
  for (const [key, value] of Object.entries(props.podAnnotations)) {
    if (!LABEL_KEY.test(key)) problems.push(`podAnnotations key ${JSON.stringify(key)} is not a valid annotation key`);
    if (typeof value !== "string") problems.push(`podAnnotations.${key} must be a string, got ${JSON.stringify(value)}`);
  }
  if (props.priorityClassName !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.priorityClassName))
    problems.push(`priorityClassName must be a DNS subdomain, got ${JSON.stringify(props.priorityClassName)}`);
  for (const [i, t] of props.tolerations.entries()) {
    if (t.operator !== undefined && t.operator !== "Exists" && t.operator !== "Equal")
      problems.push(`tolerations[${i}].operator must be Exists or Equal, got ${JSON.stringify(t.operator)}`);
    if (t.effect !== undefined && !TOLERATION_EFFECTS.includes(t.effect))
      problems.push(`tolerations[${i}].effect must be one of ${TOLERATION_EFFECTS.join(", ")}, got ${JSON.stringify(t.effect)}`);
    if (t.operator === "Exists" && t.value) problems.push(`tolerations[${i}].value must be empty when operator is Exists`);
  }
  return problems;
}

// The install bundle as a Helm chart, generated from the same objects as install.yaml: the chart is
// rendered with placeholder values, and each placeholder becomes a `{{ $.Values.x }}` expression.
// NB: `$.Values`, not `.Values`: the per-namespace RoleBinding sits inside a `range`, where `.` changes.
import { stringify } from "yaml";
import { CRD_NAME } from "../../common/api/constants.ts";
import type { KubeObject } from "../tenant/render.ts";
import { OPERATOR_NAME } from "./install-chart.ts";
import { VALUES_SCHEMA } from "./helm-values-schema.ts";
import { renderMonitoring } from "./monitoring.ts";
import { DEFAULT_HEAP_PERCENTAGE, DEFAULT_IMAGE, DEFAULT_METRICS_SCRAPERS, DEFAULT_NAMESPACE, DEFAULT_RESOURCES } from "./props.ts";
import { renderInstall } from "./render.ts";

export const HELM_CHART_NAME = "zoom-integration-operator";

/** Valid values (they pass validation) that occur nowhere else in the rendered objects. */
const Placeholder = {
  namespace: "helm-placeholder-namespace",
  watchNamespace: "helm-placeholder-watch-namespace",
  image: "helm-placeholder.invalid/image:tag",
  replicas: "__HELM_REPLICAS__",
  resources: "__HELM_RESOURCES__",
  /** A number (it is validated as one) inside a string: NODE_OPTIONS. */
  heapPercentage: 12.3456,
  label: "helm-placeholder-label",
  annotation: "helm-placeholder-annotation",
  priorityClassName: "helm-placeholder-priority",
  node: "helm-placeholder-node",
  toleration: "helm-placeholder-toleration",
  scrapers: "helm-placeholder-scrapers",
  monitoringLabel: "helm-placeholder-monitoring-label",
} as const;
const LEFTOVER = /helm-placeholder|__HELM_|12\.3456/;

export interface HelmFile {
  /** Relative to the chart directory. */
  readonly path: string;
  readonly content: string;
}

export interface HelmChartProps {
  /** Chart version and appVersion (package.json's version). */
  readonly version: string;
  /** First line of every file. */
  readonly header: string;
}

/** A string replaced everywhere, or a (global, multi-line) pattern whose first group is the line's indent. */
type Substitution = readonly [from: string, to: string] | readonly [from: RegExp, to: (indent: string) => string];

/** `field:` holding only the marker becomes the value's YAML under `field:`, or no field when the value is empty. */
function optionalBlock(field: string, key: string, marker: string): Substitution {
  return [
    new RegExp(`^( *)${field}:\\n${marker}$`, "gm"),
    (i) => `${i}{{- with $.Values.${key} }}\n${i}${field}: {{- toYaml . | nindent ${i.length + 2} }}\n${i}{{- end }}`,
  ];
}

const COMMON: readonly Substitution[] = [
  [Placeholder.namespace, "{{ $.Values.namespace }}"],
  [Placeholder.image, "{{ $.Values.image | quote }}"],
  [Placeholder.replicas, "{{ $.Values.replicas }}"],
  [`=${Placeholder.heapPercentage}`, "={{ $.Values.heapPercentage }}"],
  [`value: ${Placeholder.watchNamespace}`, `value: {{ join "," $.Values.watchNamespaces | quote }}`],
  // A block value: `resources:` then the values' YAML, indented under it.
  [
    new RegExp(`^( *)resources: ${Placeholder.resources}$`, "gm"),
    (i) => `${i}resources: {{- toYaml $.Values.resources | nindent ${i.length + 2} }}`,
  ],
  // The extra labels are merged into each labels map (NB: "{{-" eats the indent and the newline before it).
  [
    new RegExp(`^( *)${Placeholder.label}: x$`, "gm"),
    (i) => `${i}{{- with $.Values.labels }}{{- toYaml . | nindent ${i.length} }}{{- end }}`,
  ],
  optionalBlock("annotations", "podAnnotations", ` *${Placeholder.annotation}: x`),
  optionalBlock("nodeSelector", "nodeSelector", ` *${Placeholder.node}: x`),
  optionalBlock("tolerations", "tolerations", ` *- key: ${Placeholder.toleration}\\n *operator: Exists`),
  [new RegExp(`^( *)value: .*${Placeholder.scrapers}.*$`, "gm"), (i) => `${i}value: {{ toJson $.Values.monitoring.scrapers | quote }}`],
  // The operator's NetworkPolicy peer: JSON is YAML.
  [
    new RegExp(`^( *)- podSelector:\\n *matchLabels:\\n *${Placeholder.scrapers}: x$`, "gm"),
    (i) => `${i}- {{ toJson $.Values.monitoring.scrapers }}`,
  ],
  [
    new RegExp(`^( *)${Placeholder.monitoringLabel}: x$`, "gm"),
    (i) => `${i}{{- with $.Values.monitoring.labels }}{{- toYaml . | nindent ${i.length} }}{{- end }}`,
  ],
  [
    new RegExp(`^( *)priorityClassName: ${Placeholder.priorityClassName}$`, "gm"),
    (i) => `${i}{{- with $.Values.priorityClassName }}\n${i}priorityClassName: {{ . | quote }}\n${i}{{- end }}`,
  ],
];

export function helmChart(props: HelmChartProps): HelmFile[] {
  const placeholders = {
    namespace: Placeholder.namespace,
    image: Placeholder.image,
    heapPercentage: Placeholder.heapPercentage,
    labels: { [Placeholder.label]: "x" },
    podAnnotations: { [Placeholder.annotation]: "x" },
    priorityClassName: Placeholder.priorityClassName,
    nodeSelector: { [Placeholder.node]: "x" },
    tolerations: [{ key: Placeholder.toleration, operator: "Exists" as const }],
    metricsScrapers: { podSelector: { matchLabels: { [Placeholder.scrapers]: "x" } } },
  };
  const namespaced = renderInstall({ ...placeholders, watchNamespaces: [Placeholder.watchNamespace] });
  const clusterWide = renderInstall(placeholders);
  const files: HelmFile[] = [
    { path: "Chart.yaml", content: props.header + chartYaml(props.version) },
    { path: "values.yaml", content: props.header + VALUES_YAML },
    { path: "values.schema.json", content: `${JSON.stringify(VALUES_SCHEMA, null, 2)}\n` },
    ...monitoringTemplates(props.header),
  ];
  for (const object of namespaced) {
    const file = fileName(object);
    if (object.kind === "CustomResourceDefinition") {
      // Helm's crds/ directory: installed before the templates, never templated, never deleted on uninstall.
      files.push({ path: `crds/${CRD_NAME}.yaml`, content: props.header + stringify(object, { lineWidth: 0 }) });
    } else if (object.kind === "RoleBinding" && object.metadata.namespace === Placeholder.watchNamespace) {
      const body = template(object, [[`namespace: ${Placeholder.watchNamespace}`, "namespace: {{ . }}"]]);
      files.push({ path: file, content: `${props.header}{{- range $.Values.watchNamespaces }}\n---\n${body}{{- end }}\n` });
    } else if (object.kind === "Namespace") {
      files.push({ path: file, content: `${props.header}{{- if $.Values.createNamespace }}\n${template(object)}{{- end }}\n` });
    } else {
      files.push({ path: file, content: props.header + template(withValueMarkers(object)) });
    }
  }
  const binding = clusterWide.find((o) => o.kind === "ClusterRoleBinding" && o.metadata.name === OPERATOR_NAME);
  if (!binding) throw new Error(`the cluster-wide render has no ClusterRoleBinding ${OPERATOR_NAME}`);
  files.push({
    path: fileName(binding),
    content: `${props.header}{{- if not $.Values.watchNamespaces }}\n${template(binding)}{{- end }}\n`,
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The monitoring pack, each object behind its own `monitoring.<key>.enabled` (all off by default). */
function monitoringTemplates(header: string): HelmFile[] {
  const pack = renderMonitoring({ namespace: Placeholder.namespace, labels: { [Placeholder.monitoringLabel]: "x" } });
  return Object.entries(pack).map(([key, object]) => ({
    path: `templates/monitoring/${object.kind.toLowerCase()}.yaml`,
    // NB: the alerts' own `{{ $labels.x }}` must reach Prometheus as written: escaped before templating.
    content: `${header}{{- if $.Values.monitoring.${key}.enabled }}\n${template(object, [], escapeBraces)}{{- end }}\n`,
  }));
}

function escapeBraces(text: string): string {
  return text.replace(/\{\{|\}\}/g, (braces) => `{{ "${braces}" }}`);
}

function fileName(object: KubeObject): string {
  // NB: the Namespace's name is a value, so it cannot name the file.
  if (object.kind === "Namespace") return "templates/namespace.yaml";
  return `templates/${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

/** The Deployment's replicas and resources become markers (they are not strings in the object). */
function withValueMarkers(object: KubeObject): KubeObject {
  if (object.kind !== "Deployment") return object;
  const copy = structuredClone(object) as KubeObject & {
    spec: { replicas: unknown; template: { spec: { containers: { resources: unknown }[] } } };
  };
  copy.spec.replicas = Placeholder.replicas;
  for (const container of copy.spec.template.spec.containers) container.resources = Placeholder.resources;
  return copy;
}

/** The object as YAML with every placeholder replaced; throws if one is left over. */
function template(object: KubeObject, extra: readonly Substitution[] = [], escapeText: (text: string) => string = (t) => t): string {
  let text = escapeText(stringify(object, { lineWidth: 0 }));
  for (const [from, to] of [...extra, ...COMMON]) {
    text =
      typeof from === "string"
        ? text.replaceAll(from, to as string)
        : text.replace(from, (_m, indent: string) => (to as (i: string) => string)(indent));
  }
  const leftover = LEFTOVER.exec(text);
  if (leftover)
    throw new Error(
      `${object.kind} ${object.metadata.name}: placeholder left in the Helm template near "${text.slice(leftover.index, leftover.index + 40)}"`,
    );
  return text;
}

function chartYaml(version: string): string {
  return stringify(
    {
      apiVersion: "v2",
      name: HELM_CHART_NAME,
      description: "Kubernetes operator that gives each on-premises booking instance its own Zoom OAuth integration.",
      type: "application",
      version,
      appVersion: version,
    },
    { lineWidth: 0 },
  );
}

const VALUES_YAML = `# The one image: the operator runs it with "operator" and gives it to each tenant's service.
image: ${DEFAULT_IMAGE}
# Namespace of the operator (Deployment, ServiceAccount, leader-election Lease).
namespace: ${DEFAULT_NAMESPACE}
# Create the namespace, labelled to enforce the restricted Pod Security Standard.
# Set to false when it exists already (then label it yourself).
createNamespace: true
# Namespaces to watch. Empty: every namespace (ClusterRoleBinding); otherwise a RoleBinding in each.
watchNamespaces: []
# One replica leads (Lease), the others stand by.
replicas: 2
# The V8 heap limit as a percentage of the memory limit below (Node's --max-old-space-size-percentage):
# raise the memory limit and the heap follows. From 10 to 90; the rest is left for what is not heap.
heapPercentage: ${DEFAULT_HEAP_PERCENTAGE}
resources:
${stringify(DEFAULT_RESOURCES, { indent: 2 })
  .trimEnd()
  .split("\n")
  .map((line) => `  ${line}`)
  .join("\n")}
# Extra labels on every object of the chart and on the operator's pods (never the app.kubernetes.io/
# name, component or part-of keys: the chart sets those).
labels: {}
# Extra annotations on the operator's pods.
podAnnotations: {}
# The operator pods' PriorityClass (it must exist); empty: the cluster's default.
priorityClassName: ""
nodeSelector: {}
tolerations: []
# The monitoring pack (README "Monitoring"); the first three need the Prometheus Operator's CRDs.
monitoring:
  # Who may scrape each tenant service's metrics port (its NetworkPolicy admits only these pods):
  # by default the Prometheus pods of the "monitoring" namespace (kube-prometheus-stack's labels).
${stringify({ scrapers: DEFAULT_METRICS_SCRAPERS }, { indent: 2 })
  .trimEnd()
  .split("\n")
  .map((line) => `  ${line}`)
  .join("\n")}
  # Extra labels on the monitoring objects, e.g. the "release" label your Prometheus selects monitors by.
  labels: {}
  # A ServiceMonitor for the operator's metrics Service.
  serviceMonitor: {enabled: false}
  # A PodMonitor for every tenant service's metrics port, in every namespace.
  podMonitor: {enabled: false}
  # Alerts: reauthorization needed, reconcile errors, refresh failures, idempotency store, Zoom limits.
  prometheusRule: {enabled: false}
  # The Grafana dashboard, as a ConfigMap labelled grafana_dashboard=1 (Grafana's dashboard sidecar).
  dashboard: {enabled: false}
`;

// The install bundle as a Helm chart, generated from the same objects as install.yaml: the chart is
// rendered with placeholder values, and each placeholder becomes a `{{ $.Values.x }}` expression.
// NB: `$.Values`, not `.Values`: the per-namespace RoleBinding sits inside a `range`, where `.` changes.
import { stringify } from "yaml";
import { CRD_NAME } from "../../common/api/constants.ts";
import type { KubeObject } from "../tenant/render.ts";
import { OPERATOR_NAME } from "./install-chart.ts";
import { DEFAULT_HEAP_PERCENTAGE, DEFAULT_IMAGE, DEFAULT_NAMESPACE, DEFAULT_RESOURCES } from "./props.ts";
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

type Substitution = readonly [from: string | RegExp, to: string];

const COMMON: readonly Substitution[] = [
  [Placeholder.namespace, "{{ $.Values.namespace }}"],
  [Placeholder.image, "{{ $.Values.image | quote }}"],
  [Placeholder.replicas, "{{ $.Values.replicas }}"],
  [`=${Placeholder.heapPercentage}`, "={{ $.Values.heapPercentage }}"],
  [`value: ${Placeholder.watchNamespace}`, `value: {{ join "," $.Values.watchNamespaces | quote }}`],
  // A block value: `resources:` then the values' YAML, indented under it.
  [new RegExp(`^( *)resources: ${Placeholder.resources}$`, "m"), "$1resources: {{- toYaml $.Values.resources | nindent INDENT }}"],
];

export function helmChart(props: HelmChartProps): HelmFile[] {
  const placeholders = { namespace: Placeholder.namespace, image: Placeholder.image, heapPercentage: Placeholder.heapPercentage };
  const namespaced = renderInstall({ ...placeholders, watchNamespaces: [Placeholder.watchNamespace] });
  const clusterWide = renderInstall(placeholders);
  const files: HelmFile[] = [
    { path: "Chart.yaml", content: props.header + chartYaml(props.version) },
    { path: "values.yaml", content: props.header + VALUES_YAML },
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
function template(object: KubeObject, extra: readonly Substitution[] = []): string {
  let text = stringify(object, { lineWidth: 0 });
  for (const [from, to] of [...extra, ...COMMON]) {
    text =
      typeof from === "string"
        ? text.replaceAll(from, to)
        : text.replace(from, (_match, indent: string) => to.replace("$1", indent).replace("INDENT", String(indent.length + 2)));
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
`;

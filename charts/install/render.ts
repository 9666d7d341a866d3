// renderInstall: the install bundle as plain JSON objects in apply order, and as one YAML stream.
// Pure and in memory: `scripts/synth.ts` writes the result, the tests assert on it.
import { App } from "cdk8s";
import { canonicalCopy } from "../../common/canonical-json.ts";
import { stringify } from "yaml";
import type { KubeObject } from "../tenant/render.ts";
import { InstallChart } from "./install-chart.ts";
import type { InstallProps } from "./props.ts";

/** The CRD and the namespace first (everything else needs them), RBAC before the pods that use it. */
export const INSTALL_ORDER: readonly string[] = [
  "CustomResourceDefinition",
  "Namespace",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "NetworkPolicy",
  "Deployment",
  "PodDisruptionBudget",
];

/** Validates `props` (throws `InvalidInstallPropsError`) and returns the bundle's objects in apply order. */
export function renderInstall(props: InstallProps = {}): KubeObject[] {
  // NB: not Testing.app() (a temp directory per call); outdir and recordConstructMetadata are passed
  // so that no environment variable is read.
  const app = new App({ outdir: "dist", recordConstructMetadata: false });
  const chart = new InstallChart(app, "install", props);
  const objects = (chart.toJson() as KubeObject[]).map((o) => canonicalCopy(o)); // NB: cdk8s sorts keys only unless CDK8S_DISABLE_SORT is set;
  return objects.sort(
    (a, b) =>
      rank(a) - rank(b) || compare(a.metadata.namespace ?? "", b.metadata.namespace ?? "") || compare(a.metadata.name, b.metadata.name),
  );
}

/** Multi-document YAML, one object per document, with a header saying where it comes from. */
export function installYaml(objects: readonly KubeObject[], header: string): string {
  return header + objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");
}

function rank(o: KubeObject): number {
  return INSTALL_ORDER.indexOf(o.kind);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

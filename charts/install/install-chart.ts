// The install bundle as a cdk8s Chart: CRD, namespace, identity, RBAC, the operator Deployment, its
// PodDisruptionBudget and metrics Service. Pure: everything comes from props. Written against the raw
// k8s constructs: the RBAC rules come from tables (operator-rbac.ts) and the Deployment needs what
// cdk8s-plus would override (resources, pull policy, selector labels, token automount).
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT } from "../common/pod-security.ts";
import { ApiObject, Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import { spreadOverNodes } from "../common/scheduling.ts";
import type { Construct } from "constructs";
import { buildCrd } from "../../common/api/crd.ts";
import { CLUSTER_RULES, LEADER_ELECTION_RULES, LEASE_NAME, policyRules, TENANT_RULES } from "./operator-rbac.ts";
import { type InstallProps, type Quantities, type ResolvedInstallProps, resolveInstallProps } from "./props.ts";

export const OPERATOR_NAME = "zoom-integration-operator";
export const CRD_READER_NAME = `${OPERATOR_NAME}-crd-reader`;
export const LEADER_ELECTION_NAME = `${OPERATOR_NAME}-leader-election`;
export const METRICS_SERVICE_NAME = `${OPERATOR_NAME}-metrics`;
/** The install Deployment's container arguments (the image's entrypoint dispatches on it). */
export const OPERATOR_ARGS: readonly string[] = ["operator"];
/** V8 flags of the operator besides its heap limit (see NODE_OPTIONS below). */
export const OPERATOR_V8_FLAGS = "--max-semi-space-size=1";
/**
 * glibc's malloc arenas for the operator, in effect only where glibc's malloc is the allocator: the
 * image preloads jemalloc (Dockerfile ENV). Its default of 8 per core keeps freed memory of Node's
 * threads apart. Measured (test/bench/operator-memory.ts, 500 tenants and the busy fixture, one run
 * each): RSS 159 MiB with 2 arenas against 178 MiB with the default.
 */
export const OPERATOR_MALLOC_ARENAS = "2";
export const METRICS_PORT = 8080;
export const HEALTH_PORT = 8081;

/** On the operator's pods and in every selector. NB: never managed-by=zoom-integration-operator:
 * the operator's informers select that label for its tenants' children. */
export const OPERATOR_SELECTOR = { "app.kubernetes.io/name": OPERATOR_NAME, "app.kubernetes.io/component": "operator" } as const;
export const INSTALL_LABELS = { ...OPERATOR_SELECTOR, "app.kubernetes.io/part-of": OPERATOR_NAME } as const;

export class InstallChart extends Chart {
  readonly props: ResolvedInstallProps;

  /** Validates `props` eagerly: throws `InvalidInstallPropsError` naming every bad field. */
  constructor(scope: Construct, id: string, props: InstallProps = {}) {
    const resolved = resolveInstallProps(props);
    super(scope, id, { disableResourceNameHashes: true });
    this.props = resolved;
    this.addNamespace(resolved);
    this.addRbac(resolved);
    this.addWorkload(resolved);
    for (const object of this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      for (const [key, value] of Object.entries({ ...resolved.labels, ...INSTALL_LABELS })) object.metadata.addLabel(key, value);
    }
    // NB: added after the labels: the CRD stays byte-for-byte the one in crds/ (same source, buildCrd).
    new ApiObject(this, "crd", buildCrd());
  }

  private addNamespace(props: ResolvedInstallProps): void {
    // NB: the operator's own pods must pass the restricted Pod Security Standard; enforce it here.
    const pss = Object.fromEntries(["enforce", "audit", "warn"].map((mode) => [`pod-security.kubernetes.io/${mode}`, "restricted"]));
    new k8s.KubeNamespace(this, "namespace", { metadata: { name: props.namespace, labels: pss } });
  }

  private addRbac(props: ResolvedInstallProps): void {
    const ns = props.namespace;
    const subjects = [{ kind: "ServiceAccount", name: OPERATOR_NAME, namespace: ns }];
    const clusterRoleRef = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name });
    // NB: the token is needed: the operator talks to the API server with it.
    new k8s.KubeServiceAccount(this, "service-account", {
      metadata: { name: OPERATOR_NAME, namespace: ns },
      automountServiceAccountToken: true,
    });
    new k8s.KubeClusterRole(this, "tenant-role", { metadata: { name: OPERATOR_NAME }, rules: policyRules(TENANT_RULES) });
    if (props.watchNamespaces.length === 0) {
      new k8s.KubeClusterRoleBinding(this, "tenant-binding", {
        metadata: { name: OPERATOR_NAME },
        roleRef: clusterRoleRef(OPERATOR_NAME),
        subjects,
      });
    }
    for (const watched of props.watchNamespaces) {
      new k8s.KubeRoleBinding(this, `tenant-binding-${watched}`, {
        metadata: { name: OPERATOR_NAME, namespace: watched },
        roleRef: clusterRoleRef(OPERATOR_NAME),
        subjects,
      });
    }
    new k8s.KubeClusterRole(this, "crd-reader-role", { metadata: { name: CRD_READER_NAME }, rules: policyRules(CLUSTER_RULES) });
    new k8s.KubeClusterRoleBinding(this, "crd-reader-binding", {
      metadata: { name: CRD_READER_NAME },
      roleRef: clusterRoleRef(CRD_READER_NAME),
      subjects,
    });
    new k8s.KubeRole(this, "leader-election-role", {
      metadata: { name: LEADER_ELECTION_NAME, namespace: ns },
      rules: policyRules(LEADER_ELECTION_RULES),
    });
    new k8s.KubeRoleBinding(this, "leader-election-binding", {
      metadata: { name: LEADER_ELECTION_NAME, namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: LEADER_ELECTION_NAME },
      subjects,
    });
  }

  private addWorkload(props: ResolvedInstallProps): void {
    const ns = props.namespace;
    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name: OPERATOR_NAME, namespace: ns },
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: { ...OPERATOR_SELECTOR } },
        template: { metadata: podMetadata(props), spec: podSpec(props) },
      },
    });
    new k8s.KubePodDisruptionBudget(this, "pod-disruption-budget", {
      metadata: { name: OPERATOR_NAME, namespace: ns },
      // NB: maxUnavailable, not minAvailable: with replicas 1 a node drain must still be possible.
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...OPERATOR_SELECTOR } } },
    });
    // The operator's pods take traffic on two ports only: health from anywhere (the kubelet's probes),
    // metrics from the configured scrapers, as each tenant's service.
    new k8s.KubeNetworkPolicy(this, "network-policy", {
      metadata: { name: OPERATOR_NAME, namespace: ns },
      spec: {
        podSelector: { matchLabels: { ...OPERATOR_SELECTOR } },
        policyTypes: ["Ingress"],
        ingress: [
          { ports: [{ protocol: "TCP", port: k8s.IntOrString.fromNumber(HEALTH_PORT) }] },
          {
            from: [{ ...props.metricsScrapers } as k8s.NetworkPolicyPeer],
            ports: [{ protocol: "TCP", port: k8s.IntOrString.fromNumber(METRICS_PORT) }],
          },
        ],
      },
    });
    new k8s.KubeService(this, "metrics-service", {
      metadata: { name: METRICS_SERVICE_NAME, namespace: ns },
      spec: {
        type: "ClusterIP",
        selector: { ...OPERATOR_SELECTOR },
        ports: [{ name: "metrics", port: METRICS_PORT, targetPort: k8s.IntOrString.fromString("metrics"), protocol: "TCP" }],
      },
    });
  }
}

function podMetadata(props: ResolvedInstallProps): k8s.ObjectMeta {
  // NB: the extra labels never override the selector's: the Deployment would lose its pods.
  const labels = { ...props.labels, ...INSTALL_LABELS };
  return Object.keys(props.podAnnotations).length > 0 ? { labels, annotations: { ...props.podAnnotations } } : { labels };
}

function podSpec(props: ResolvedInstallProps): k8s.PodSpec {
  const nonEmpty = <T extends object>(key: string, value: T) => (Object.keys(value).length > 0 ? { [key]: value } : {});
  return {
    ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
    ...nonEmpty("nodeSelector", props.nodeSelector),
    ...(props.tolerations.length > 0 ? { tolerations: props.tolerations.map((t) => ({ ...t })) } : {}),
    serviceAccountName: OPERATOR_NAME,
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
    topologySpreadConstraints: spreadOverNodes({ ...OPERATOR_SELECTOR }),
    containers: [operatorContainer(props)],
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

function operatorContainer(props: ResolvedInstallProps): k8s.Container {
  const fromField = (fieldPath: string): k8s.EnvVarSource => ({ fieldRef: { apiVersion: "v1", fieldPath } });
  const health = k8s.IntOrString.fromString("health");
  const quantities = (q: Quantities) =>
    Object.fromEntries(
      Object.entries(q)
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([k, v]) => [k, k8s.Quantity.fromString(v)]),
    );
  return {
    name: "operator",
    image: props.image,
    imagePullPolicy: props.imagePullPolicy,
    args: [...OPERATOR_ARGS],
    // Every setting the pod depends on is explicit, so a changed default in operator/config.ts cannot
    // silently break the probes, the Service or the Lease Role.
    env: [
      { name: "WATCH_NAMESPACES", value: props.watchNamespaces.join(",") },
      { name: "POD_NAMESPACE", valueFrom: fromField("metadata.namespace") },
      { name: "POD_NAME", valueFrom: fromField("metadata.name") },
      { name: "LEADER_ELECT", value: "true" },
      { name: "LEASE_NAME", value: LEASE_NAME },
      { name: "SERVICE_IMAGE", value: props.image },
      { name: "METRICS_PORT", value: String(METRICS_PORT) },
      { name: "HEALTH_PORT", value: String(HEALTH_PORT) },
      { name: "METRICS_SCRAPERS", value: JSON.stringify(props.metricsScrapers) },
      // NB: V8 grows its heap lazily up to a limit far above what the operator keeps alive (100
      // ZoomIntegrations: ~66 MB live; RSS 470 MiB unbounded vs 181 MiB with a 128 MB old space):
      // bound it inside the memory limit, as a share of it (Node reads the cgroup limit), so the
      // heap follows the limit instead of a constant that a raised limit leaves behind. The 1 MiB
      // young generation (the service's too): 100 tenants and the busy fixture, 166 MiB RSS at
      // steady state instead of 260 (V8's default young generation held ~120 MiB of garbage).
      { name: "NODE_OPTIONS", value: `--max-old-space-size-percentage=${props.heapPercentage} ${OPERATOR_V8_FLAGS}` },
      { name: "MALLOC_ARENA_MAX", value: OPERATOR_MALLOC_ARENAS },
    ],
    ports: [
      { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
      { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
    ],
    readinessProbe: { httpGet: { path: "/readyz", port: health }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: "/healthz", port: health }, periodSeconds: 20, failureThreshold: 3 },
    resources: { requests: quantities(props.resources.requests), limits: quantities(props.resources.limits) },
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

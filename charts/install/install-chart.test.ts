import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CRD_NAME } from "../../common/api/constants.ts";
import { buildCrd } from "../../common/api/crd.ts";
import { loadConfig } from "../../operator/config.ts";
import { CHILD_KINDS } from "../../operator/controller/caches.ts";
import { CONTAINER_ARGS, RUN_AS_ID } from "../../common/tenant/contract.ts";
import { renderTenant } from "../tenant/render.ts";
import { field, minimalProps, only } from "../tenant/test-fixtures.ts";
import { LEASE_NAME } from "./operator-rbac.ts";
import { DEFAULT_IMAGE, InvalidInstallPropsError } from "./props.ts";
import { installYaml, renderInstall } from "./render.ts";

const bundle = renderInstall();
const deployment = (objects = bundle) => only(objects, "Deployment");
const container = (objects = bundle) => field(deployment(objects), "spec.template.spec.containers")[0];
const env = (objects = bundle) =>
  Object.fromEntries(container(objects).env.map((e: { name: string; value?: string }) => [e.name, e.value ?? "(from field)"]));

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
const rules = (kind: string, name: string, objects = bundle): Rule[] => only(objects, kind, name)["rules"] as Rule[];

/** True when `granted` allows `verb` on `group/resource` (named `name`, if given). */
function allows(granted: readonly Rule[], group: string, resource: string, verb: string, name?: string): boolean {
  return granted.some(
    (r) =>
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))),
  );
}

describe("the install bundle", () => {
  it("holds the CRD, the namespace, identity, RBAC and the workload, in apply order", () => {
    expect(bundle.map((o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`)).toEqual([
      `CustomResourceDefinition/${CRD_NAME}`,
      "Namespace/zoom-integration-system",
      "ServiceAccount/zoom-integration-system/zoom-integration-operator",
      "ClusterRole/zoom-integration-operator",
      "ClusterRole/zoom-integration-operator-crd-reader",
      "ClusterRoleBinding/zoom-integration-operator",
      "ClusterRoleBinding/zoom-integration-operator-crd-reader",
      "Role/zoom-integration-system/zoom-integration-operator-leader-election",
      "RoleBinding/zoom-integration-system/zoom-integration-operator-leader-election",
      "Service/zoom-integration-system/zoom-integration-operator-metrics",
      "NetworkPolicy/zoom-integration-system/zoom-integration-operator",
      "Deployment/zoom-integration-system/zoom-integration-operator",
      "PodDisruptionBudget/zoom-integration-system/zoom-integration-operator",
    ]);
  });

  it("embeds the CRD from the same source as crds/", async () => {
    const committed = parse(await readFile(new URL(`../../crds/${CRD_NAME}.yaml`, import.meta.url), "utf8"));
    expect(only(bundle, "CustomResourceDefinition")).toEqual(committed);
    expect(only(bundle, "CustomResourceDefinition")).toEqual(JSON.parse(JSON.stringify(buildCrd())));
  });

  it("labels the operator's namespace to enforce the restricted Pod Security Standard", () => {
    expect(only(bundle, "Namespace").metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
  });

  it("never labels its objects managed-by the operator, whose informers select that label", () => {
    expect(JSON.stringify(bundle)).not.toContain("app.kubernetes.io/managed-by");
  });

  it("renders the same YAML whatever CDK8S_DISABLE_SORT says", () => {
    const sorted = installYaml(renderInstall(), "");
    process.env["CDK8S_DISABLE_SORT"] = "1";
    try {
      expect(installYaml(renderInstall(), "")).toBe(sorted);
    } finally {
      delete process.env["CDK8S_DISABLE_SORT"];
    }
  });

  it("matches the snapshot (review RBAC and Deployment changes here)", () => {
    expect(installYaml(bundle, "")).toMatchSnapshot();
  });
});

describe("the operator Deployment", () => {
  it("runs two replicas of the image with the operator entrypoint and leader election", () => {
    expect(field(deployment(), "spec.replicas")).toBe(2);
    expect(container()).toMatchObject({ image: DEFAULT_IMAGE, imagePullPolicy: "IfNotPresent", args: ["operator"] });
    expect(env()).toMatchObject({
      LEADER_ELECT: "true",
      LEASE_NAME,
      WATCH_NAMESPACES: "",
      SERVICE_IMAGE: DEFAULT_IMAGE,
      POD_NAMESPACE: "(from field)",
      POD_NAME: "(from field)",
    });
  });

  it("has the same default image as the operator's SERVICE_IMAGE, and the tenant entrypoint differs only in its argument", () => {
    expect(loadConfig({}).SERVICE_IMAGE).toBe(DEFAULT_IMAGE);
    expect(CONTAINER_ARGS).toEqual(["service"]);
  });

  it("is configured to pass the restricted Pod Security Standard", () => {
    const pod = field(deployment(), "spec.template.spec");
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: RUN_AS_ID,
      runAsGroup: RUN_AS_ID,
      fsGroup: RUN_AS_ID,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
  });

  it("probes the health port the operator is told to serve, and the metrics Service targets the metrics port", () => {
    const ports = Object.fromEntries(container().ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports).toEqual({ metrics: Number(env()["METRICS_PORT"]), health: Number(env()["HEALTH_PORT"]) });
    expect(container().readinessProbe.httpGet).toEqual({ path: "/readyz", port: "health" });
    expect(container().livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(field(only(bundle, "Service"), "spec.ports")).toEqual([{ name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" }]);
  });

  it("requests little, limits memory only, and never defaults to cdk8s-plus's 1 CPU / 2Gi", () => {
    expect(container().resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
  });

  it("bounds the V8 heap as a share of the memory limit (so the heap follows the limit), in a form this Node accepts", () => {
    expect(env()["NODE_OPTIONS"]).toBe("--max-old-space-size-percentage=75 --max-semi-space-size=1");
    expect(env(renderInstall({ heapPercentage: 60 }))["NODE_OPTIONS"]).toBe("--max-old-space-size-percentage=60 --max-semi-space-size=1");
    const heapMiB = execFileSync(process.execPath, ["-p", "require('v8').getHeapStatistics().heap_size_limit / 2 ** 20"], {
      env: { NODE_OPTIONS: env()["NODE_OPTIONS"] },
      encoding: "utf8",
    });
    expect(Number(heapMiB)).toBeGreaterThan(0);
  });

  it("selects its pods (Deployment, PodDisruptionBudget, Service) by labels the pods carry", () => {
    const podLabels = field(deployment(), "spec.template.metadata.labels");
    for (const selector of [
      field(deployment(), "spec.selector.matchLabels"),
      field(only(bundle, "PodDisruptionBudget"), "spec.selector.matchLabels"),
      field(only(bundle, "Service"), "spec.selector"),
    ]) {
      expect(podLabels).toMatchObject(selector);
    }
    expect(field(only(bundle, "PodDisruptionBudget"), "spec.maxUnavailable")).toBe(1);
  });
});

describe("the operator's RBAC", () => {
  const tenantRules = rules("ClusterRole", "zoom-integration-operator");

  it("grants exactly these verbs in watched namespaces", () => {
    expect(tenantRules.map((r) => `${r.apiGroups[0] || "core"} ${r.resources.join(",")}: ${r.verbs.join(",")}`)).toEqual([
      "bookingops.dev zoomintegrations: list,watch,patch",
      "bookingops.dev zoomintegrations/status: patch",
      "core secrets: get,list,watch,patch,create,update",
      "core configmaps: get,list,watch,patch,create,update",
      "core serviceaccounts,services: get,list,watch,patch,create",
      "core events: create,patch",
      "apps deployments: get,list,watch,patch,create",
      "networking.k8s.io ingresses: get,list,watch,patch,create,delete",
      "gateway.networking.k8s.io httproutes: get,list,watch,patch,create,delete",
      "networking.k8s.io networkpolicies: get,list,watch,patch,create",
      "policy poddisruptionbudgets: get,list,watch,patch,create",
      "rbac.authorization.k8s.io roles,rolebindings: get,list,watch,patch,create",
    ]);
    // NB: delete only on the routes (issue 18: a DomainConflict loser's live route is removed; issue 15:
    // switching routing modes removes the other one). Nothing on Gateways: they are the platform team's.
    const rest = tenantRules.filter((r) => !r.resources.includes("ingresses") && !r.resources.includes("httproutes"));
    expect(JSON.stringify(tenantRules)).not.toMatch(/"gateways"/);
    expect(JSON.stringify(rest)).not.toMatch(/"(delete|deletecollection|escalate|bind|impersonate|\*)"/);
    expect(JSON.stringify(tenantRules)).not.toMatch(/"(deletecollection|escalate|bind|impersonate|\*)"/);
  });

  it("lets the operator watch, read and server-side-apply every child kind it manages", () => {
    for (const [kind, { apiVersion, plural }] of Object.entries(CHILD_KINDS)) {
      const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
      for (const verb of ["get", "list", "watch", "patch", "create"])
        expect(allows(tenantRules, group, plural, verb), `${verb} ${kind}`).toBe(true);
    }
  });

  it("holds every permission of the tenant Role it creates (RBAC escalation prevention)", () => {
    const tenantRole = only(renderTenant(minimalProps()), "Role")["rules"] as Rule[];
    for (const rule of tenantRole) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          for (const name of rule.resourceNames ?? [undefined]) {
            expect(allows(tenantRules, rule.apiGroups[0]!, resource, verb, name), `${verb} ${resource}`).toBe(true);
          }
        }
      }
    }
  });

  it("may read only its own CRD cluster-wide, and only its own Lease in its namespace", () => {
    expect(rules("ClusterRole", "zoom-integration-operator-crd-reader")).toEqual([
      { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: [CRD_NAME], verbs: ["get"] },
    ]);
    const lease = rules("Role", "zoom-integration-operator-leader-election");
    expect(allows(lease, "coordination.k8s.io", "leases", "update", LEASE_NAME)).toBe(true);
    expect(allows(lease, "coordination.k8s.io", "leases", "update", "someone-elses-lease")).toBe(false);
    expect(allows(lease, "coordination.k8s.io", "leases", "create")).toBe(true);
  });

  it("binds the tenant ClusterRole per watched namespace instead of cluster-wide when watchNamespaces is set", () => {
    const scoped = renderInstall({ watchNamespaces: ["tenants-a", "tenants-b"] });
    expect(scoped.filter((o) => o.kind === "ClusterRoleBinding").map((o) => o.metadata.name)).toEqual([
      "zoom-integration-operator-crd-reader",
    ]);
    expect(scoped.filter((o) => o.kind === "RoleBinding").map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "tenants-a/zoom-integration-operator",
      "tenants-b/zoom-integration-operator",
      "zoom-integration-system/zoom-integration-operator-leader-election",
    ]);
    for (const binding of scoped.filter((o) => o.kind === "RoleBinding" && o.metadata.name === "zoom-integration-operator")) {
      expect(binding["roleRef"]).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "zoom-integration-operator" });
    }
    expect(env(scoped)["WATCH_NAMESPACES"]).toBe("tenants-a,tenants-b");
  });
});

describe("install props", () => {
  it("puts every object in the chosen namespace and stamps the chosen image and replicas", () => {
    const custom = renderInstall({ namespace: "ops", image: "registry.local/zio:dev", replicas: 3 });
    for (const o of custom.filter((o) => o.metadata.namespace !== undefined)) expect(o.metadata.namespace, o.kind).toBe("ops");
    expect(field(only(custom, "ClusterRoleBinding", "zoom-integration-operator"), "subjects")[0].namespace).toBe("ops");
    expect(container(custom).image).toBe("registry.local/zio:dev");
    expect(env(custom)["SERVICE_IMAGE"]).toBe("registry.local/zio:dev");
    expect(field(deployment(custom), "spec.replicas")).toBe(3);
  });

  it("refuses bad props listing every problem", () => {
    const attempt = () =>
      renderInstall({
        namespace: "Bad_NS",
        watchNamespaces: ["a", "a"],
        replicas: 0,
        image: "",
        resources: { requests: { cpu: "lots" } },
        heapPercentage: 100,
      });
    expect(attempt).toThrow(InvalidInstallPropsError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidInstallPropsError).problems).toEqual([
        'namespace must be a DNS label, got "Bad_NS"',
        "watchNamespaces must not repeat a namespace",
        'image must be a non-empty image reference without spaces, got ""',
        "replicas must be an integer from 1 to 10, got 0",
        'resources.requests.cpu must be a Kubernetes quantity such as 100m or 64Mi, got "lots"',
        "heapPercentage must be a number from 10 to 90 (percent of the memory limit), got 100",
      ]);
    }
  });
});

describe("the operator's NetworkPolicy", () => {
  const policy = (props = {}) => renderInstall(props).find((o) => o.kind === "NetworkPolicy") as unknown as { spec: { ingress: object[] } };

  it("admits the probes from anywhere and the metrics port only from the configured scrapers", () => {
    const scrapers = { namespaceSelector: { matchLabels: { team: "observability" } }, podSelector: { matchLabels: { app: "prometheus" } } };
    expect(policy({ metricsScrapers: scrapers }).spec.ingress).toEqual([
      { ports: [{ protocol: "TCP", port: 8081 }] },
      { from: [scrapers], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });
});

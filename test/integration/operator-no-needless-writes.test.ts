// "No write when nothing changed" for every valid spec, against the real control plane: quantities
// written in a form the API server canonicalises, list entries and labels that other field managers
// add to our children, and falsy fields removed by hand. At steady state resyncs write nothing;
// drift of a field we own is repaired, and what other managers added is kept.
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverSideApply } from "../../common/kube/raw-client.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { ADMITTED_CLASS } from "../support/ingress-admitter.ts";
import { apiserverWrites } from "../support/apiserver-writes.ts";
import { clusterEnv, kubectl, otherTestNamespacesGone, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { b64, condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const RESYNC_SECONDS = 10;
const WINDOW_SECONDS = RESYNC_SECONDS * 3 + 2;

/** Every non-canonical form the API accepts, with what kube-apiserver stores. */
const QUANTITY_TENANTS = {
  "q-decimal": { requests: { cpu: "0.5", memory: "1024Mi" }, limits: { cpu: "+1", memory: "2048Mi" } }, // 500m 1Gi +1 2Gi
  "q-exponent": { requests: { cpu: "250000u", memory: "1e3" }, limits: { cpu: "1E1", memory: "1e9" } }, // 250m 1k 10 1G
  "q-fraction": { requests: { cpu: ".5", memory: "0.1Gi" }, limits: { cpu: "2.0", memory: "1.5Gi" } }, // 500m 107374182400m 2 1536Mi
  "q-integer": { requests: { cpu: "100000000n", memory: 134217728 }, limits: { memory: "0.25Gi" } }, // 100m 128Mi 256Mi
} as const;
const MESH = "mesh";
/** Every optional part of the tenant chart, so that each object it can render is covered. */
const FULL_SPEC = {
  webhookSecretRef: { name: "mesh-webhook" },
  routing: {
    // NB: a class the test bed's ingress admitter serves: Routed (and Ready) need an admitted Ingress.
    ingress: { className: ADMITTED_CLASS, tlsSecretName: "app-mesh-tls", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
  },
  clients: {
    podSelector: { matchLabels: { app: "booking" }, matchExpressions: [{ key: "tier", operator: "In", values: ["api", "worker"] }] },
  },
  service: { replicas: 2, podLabels: { "sidecar.mesh.example/inject": "true" } },
};
const TENANTS = [...Object.keys(QUANTITY_TENANTS), MESH];

let operator: OperatorProcess;
const ns = useNamespace("writes", () => operator?.lines.slice(-80).join("\n") ?? "");
const kc = () => clusterEnv().kc;
const apps = () => kc().makeApiClient(AppsV1Api);
const core = () => kc().makeApiClient(CoreV1Api);
const readDeployment = (tenant: string) => apps().readNamespacedDeployment({ name: tenantNames(tenant).deployment, namespace: ns.name });
const serviceContainer = (d: V1Deployment) => d.spec?.template.spec?.containers.find((c) => c.name === "service");

beforeAll(async () => {
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "writes-op",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: String(RESYNC_SECONDS), LOG_LEVEL: "info" },
  });
});
afterAll(async () => operator?.stop());

/** What a service mesh's injector does: its own env var and sidecar, applied under its own manager. */
async function injectMesh(): Promise<void> {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: tenantNames(MESH).deployment, namespace: ns.name },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "service", env: [{ name: "MESH_ADMIN_ADDRESS", value: "127.0.0.1:15000" }] },
            { name: "mesh-proxy", image: "mesh.example/proxy:1.0" },
          ],
        },
      },
    },
  };
  await serverSideApply(kc(), deployment, "deployments", "mesh-injector");
  const label = await kubectl(["label", "deployment", tenantNames(MESH).deployment, "-n", ns.name, "team=payments"]);
  expect(label.code, label.stderr).toBe(0);
}

function rolledOut(d: V1Deployment): void {
  expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
  expect(d.status?.updatedReplicas).toBe(d.spec?.replicas);
  expect(d.status?.readyReplicas).toBe(d.spec?.replicas);
  expect(d.status?.replicas).toBe(d.spec?.replicas);
}

async function writesOver(seconds: number): Promise<{ reconciles: number; operatorWrites: number; apiWrites: number }> {
  const sum = async (name: string) => counterSum(await operator.metrics(), name);
  const before = { reconciles: await sum("zio_operator_reconciles_total"), writes: await sum("zio_operator_writes_total") };
  const apiBefore = await apiserverWrites();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return {
    reconciles: (await sum("zio_operator_reconciles_total")) - before.reconciles,
    operatorWrites: (await sum("zio_operator_writes_total")) - before.writes,
    apiWrites: (await apiserverWrites()) - apiBefore,
  };
}

describe("the operator at steady state", () => {
  it("brings up tenants with non-canonical quantities, and a full one whose Deployment carries a mesh's env var and sidecar", async () => {
    for (const [name, resources] of Object.entries(QUANTITY_TENANTS)) {
      await createCredentials(kc(), ns.name, `${name}-creds`);
      await ziApi(kc()).create(ns.name, zoomIntegration(name, { service: { replicas: 1, resources } }));
    }
    await createCredentials(kc(), ns.name, `${MESH}-creds`);
    await core().createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: "mesh-webhook" }, data: { secretToken: b64("whsec") } },
    });
    await ziApi(kc()).create(ns.name, zoomIntegration(MESH, FULL_SPEC));
    await eventually(() => readDeployment(MESH), { timeout: 60_000 });
    await injectMesh();
    await eventually(
      async () => {
        for (const name of TENANTS) {
          expect(condition(await ziApi(kc()).get(ns.name, name), "Ready")?.status, name).toBe("True");
          rolledOut(await readDeployment(name));
        }
      },
      { timeout: 120_000, interval: 1000 },
    );
    // the perpetual diff this file is about: what we apply is not what the API server stores
    expect(serviceContainer(await readDeployment("q-decimal"))?.resources).toMatchObject({
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { memory: "2Gi" },
    });
  }, 180_000);

  it(`makes zero writes over ${WINDOW_SECONDS} s (three resyncs)`, async () => {
    // NB: kube-apiserver's counters are cluster-wide: the namespace controller's deletions of other
    // files' namespaces would be counted too.
    await otherTestNamespacesGone([ns.name]);
    await new Promise((r) => setTimeout(r, 3000)); // the rollouts' last status events re-enqueue their owners
    const w = await writesOver(WINDOW_SECONDS);
    const perMinute = (n: number) => ((n * 60) / WINDOW_SECONDS).toFixed(1);
    console.log(
      `[measure] steady state, ${TENANTS.length} tenants, resync ${RESYNC_SECONDS} s, over ${WINDOW_SECONDS} s: ${w.reconciles} reconciles, ` +
        `${w.operatorWrites} operator writes (${perMinute(w.operatorWrites)}/min), ${w.apiWrites} API-server writes (${perMinute(w.apiWrites)}/min)`,
    );
    expect(w.reconciles).toBeGreaterThanOrEqual(TENANTS.length * 2); // resyncs really ran
    expect(w.operatorWrites).toBe(0);
    expect(w.apiWrites).toBe(0);
  }, 120_000);
});

describe("drift", () => {
  it("repairs a falsy field removed by hand and fields we own changed by hand, keeping the mesh's entries", async () => {
    const { serviceAccount, deployment } = tenantNames(MESH);
    const removeAutomount = await kubectl([
      ...["patch", "serviceaccount", serviceAccount, "-n", ns.name, "--type=json"],
      ...["-p", '[{"op":"remove","path":"/automountServiceAccountToken"}]'],
    ]);
    expect(removeAutomount.code, removeAutomount.stderr).toBe(0);
    const live = await readDeployment(MESH);
    const index = live.spec?.template.spec?.containers.findIndex((c) => c.name === "service");
    const editDeployment = await kubectl([
      ...["patch", "deployment", deployment, "-n", ns.name, "--type=json", "-p"],
      JSON.stringify([
        { op: "remove", path: "/spec/template/spec/enableServiceLinks" },
        { op: "replace", path: `/spec/template/spec/containers/${index}/securityContext/readOnlyRootFilesystem`, value: false },
      ]),
    ]);
    expect(editDeployment.code, editDeployment.stderr).toBe(0);
    const editQuantity = await kubectl([
      ...["patch", "deployment", tenantNames("q-decimal").deployment, "-n", ns.name, "--type=strategic", "-p"],
      JSON.stringify({ spec: { template: { spec: { containers: [{ name: "service", resources: { limits: { memory: "3Gi" } } }] } } } }),
    ]);
    expect(editQuantity.code, editQuantity.stderr).toBe(0);

    await eventually(
      async () => {
        const sa = await core().readNamespacedServiceAccount({ name: serviceAccount, namespace: ns.name });
        expect(sa.automountServiceAccountToken).toBe(false);
        const d = await readDeployment(MESH);
        expect(d.spec?.template.spec?.enableServiceLinks).toBe(false);
        expect(serviceContainer(d)?.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(serviceContainer(await readDeployment("q-decimal"))?.resources?.limits?.["memory"]).toBe("2Gi");
      },
      { timeout: 30_000 },
    );
    const d = await readDeployment(MESH);
    expect(serviceContainer(d)?.env).toContainEqual({ name: "MESH_ADMIN_ADDRESS", value: "127.0.0.1:15000" });
    expect(d.spec?.template.spec?.containers.map((c) => c.name)).toContain("mesh-proxy");
    expect(d.metadata?.labels?.["team"]).toBe("payments");
  }, 60_000);
});

// The operator in a busy cluster (issue 13, at a size CI affords): hundreds of foreign Secrets
// (Helm-release-like, ~50 kB) and ConfigMaps sit in the watched namespaces. Every tenant converges,
// the foreign Secrets need several list pages, the operator holds none of them in full (its
// zio_operator_cached_objects gauge), and a referenced Secret known only by its metadata is
// followed through creation, change and deletion.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIST_PAGE_SIZE } from "../../common/kube/raw-client.ts";
import { manifestNames } from "../../common/tenant/manifest.ts";
import { CREDENTIALS_CHECKSUM_ANNOTATION, tenantNames } from "../../common/tenant/names.ts";
import { clusterEnv, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { b64, condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const TENANTS = 4;
const BIG_SECRETS = 300; // ~50 kB each, in the tenants' namespace
const SMALL_SECRETS = 250; // with the big ones, more than one list page
const FOREIGN_CONFIGMAPS = 200; // ~10 kB each, in another watched namespace
const FOREIGN_SECRETS_ELSEWHERE = 50;
const CONCURRENCY = 16;

let operator: OperatorProcess;
const logs = () => operator?.lines.slice(-80).join("\n") ?? "";
const ns = useNamespace("busy", logs);
const foreign = useNamespace("busy-foreign", logs);

const core = () => clusterEnv().kc.makeApiClient(CoreV1Api);
const zi = () => ziApi(clusterEnv().kc);

/** Runs `create(0..count-1)` with `concurrency` requests in flight. */
async function inParallel(count: number, create: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await create(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Like a Helm release Secret: a label Helm queries by and a big compressed-looking payload. */
const helmRelease = (namespace: string, name: string, bytes: number) =>
  core().createNamespacedSecret({
    namespace,
    body: {
      metadata: { name, labels: { owner: "helm", status: "deployed" } },
      type: "helm.sh/release.v1",
      data: { release: randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64") },
    },
  });

const gauge = async (kind: string) => counterSum(await operator.metrics(), "zio_operator_cached_objects", { kind });

/** The process's resident memory now and at its peak, in MiB. */
async function rss(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const mib = (field: string) => (Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024).toFixed(0);
  return `RSS ${mib("VmRSS")} MiB, peak ${mib("VmHWM")} MiB`;
}

/** The operator's debug lines saying how many pages a metadata list of `path` took. */
function listedPages(path: string): number[] {
  return operator.lines
    .filter((l) => l.includes('"metadata informer listed"') && l.includes(`"path":"${path}"`))
    .map((l) => (JSON.parse(l) as { pages: number }).pages);
}

beforeAll(async () => {
  const t0 = Date.now();
  // NB: the foreign Secrets sort before the tenants' credentials ("helm-", "sh.helm" < "t0-creds"),
  // so the credentials are found only if every page of the first list is read.
  await inParallel(BIG_SECRETS, (i) => helmRelease(ns.name, `sh.helm.release.v1.app-${i}.v1`, 50_000));
  await inParallel(SMALL_SECRETS, (i) => helmRelease(ns.name, `helm-small-${i}`, 1_000));
  await inParallel(FOREIGN_SECRETS_ELSEWHERE, (i) => helmRelease(foreign.name, `sh.helm.release.v1.other-${i}.v1`, 50_000));
  await inParallel(FOREIGN_CONFIGMAPS, (i) =>
    core().createNamespacedConfigMap({
      namespace: foreign.name,
      body: { metadata: { name: `app-config-${i}` }, data: { "settings.json": randomBytes(5_000).toString("hex") } },
    }),
  );
  for (let i = 0; i < TENANTS; i++) {
    await createCredentials(clusterEnv().kc, ns.name, `t${i}-creds`);
    await zi().create(ns.name, zoomIntegration(`t${i}`));
  }
  console.log(
    `[measure] busy-cluster fixture (${BIG_SECRETS + SMALL_SECRETS + FOREIGN_SECRETS_ELSEWHERE} Secrets, ${FOREIGN_CONFIGMAPS} ConfigMaps) created in ${Date.now() - t0} ms`,
  );
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "busy-op",
    env: { WATCH_NAMESPACES: `${ns.name},${foreign.name}`, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600" },
  });
}, 300_000);
afterAll(async () => operator?.stop());

const readyTrue = async (name: string) => {
  const obj = await zi().get(ns.name, name);
  expect(condition(obj, "Ready"), `${name}: ${JSON.stringify(obj.status?.conditions)}`).toMatchObject({ status: "True" });
};

describe("the operator in a busy cluster", () => {
  it("makes every tenant Ready while holding no foreign object in full, though the foreign Secrets fill several list pages", async () => {
    const t0 = Date.now();
    await eventually(
      async () => {
        for (let i = 0; i < TENANTS; i++) await readyTrue(`t${i}`);
      },
      { timeout: 120_000, interval: 500 },
    );
    console.log(`[measure] ${TENANTS} tenants Ready ${Date.now() - t0} ms after the operator started; operator ${await rss(operator.pid)}`);
    const secretsPath = `/api/v1/namespaces/${ns.name}/secrets`;
    expect(BIG_SECRETS + SMALL_SECRETS).toBeGreaterThan(LIST_PAGE_SIZE);
    expect(listedPages(secretsPath)[0], "the first metadata list of the tenants' Secrets").toBeGreaterThanOrEqual(2);

    const owned = await kubectl(["get", "secrets", "-A", "-l", "app.kubernetes.io/managed-by=zoom-integration-operator", "-o", "name"]);
    const ownedCount = owned.stdout.split("\n").filter(Boolean).length;
    expect(ownedCount).toBe(TENANTS * 2); // tokens and api-token per tenant
    await eventually(async () => {
      expect(await gauge("Secret")).toBe(ownedCount);
      expect(await gauge("ReferencedSecret")).toBe(TENANTS); // the credentials' data, nothing else
      expect(await gauge("ZoomIntegration")).toBe(TENANTS);
    });
    console.log(`[measure] first metadata list of the Secrets of ${ns.name}: ${listedPages(secretsPath)[0]} pages`);
  }, 180_000);

  it("creates each state ConfigMap, findable by its tenant label, and never reconciles for the service's writes to it", async () => {
    const state = tenantNames("t0").stateConfigMap;
    const found = await kubectl(["get", "configmaps", "-n", ns.name, "-l", "bookingops.dev/zoom-integration=t0", "-o", "json"]);
    const items = (JSON.parse(found.stdout) as { items: { metadata: { name: string; ownerReferences?: { kind: string }[] } }[] }).items;
    // NB: the tenant's label also marks the Zoom app's manifest ConfigMap (issue 20), which the service never writes.
    expect(items.map((c) => c.metadata.name).sort()).toEqual([manifestNames("t0").configMap, state].sort());
    expect(items.find((c) => c.metadata.name === state)?.metadata.ownerReferences?.[0]?.kind).toBe("ZoomIntegration");

    const reconciles = async () => counterSum(await operator.metrics(), "zio_operator_reconciles_total");
    const before = await reconciles();
    for (let i = 0; i < 20; i++) {
      // as the service does on every booking: the data rewritten
      await core().patchNamespacedConfigMap(
        { name: state, namespace: ns.name, body: { data: { [`meeting-${i}`]: randomBytes(2_000).toString("hex") } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    }
    await new Promise((r) => setTimeout(r, 3_000)); // time for watch events to arrive, were there a watch
    expect(await reconciles()).toBe(before);
  });

  it("follows a referenced Secret known only by its metadata through creation, change and deletion", async () => {
    const apps = clusterEnv().kc.makeApiClient(AppsV1Api);
    const names = tenantNames("late");
    await zi().create(ns.name, zoomIntegration("late"));
    await eventually(async () => {
      const c = condition(await zi().get(ns.name, "late"), "CredentialsValid");
      expect(c).toMatchObject({ status: "False", reason: "SecretNotFound" });
    });

    // Created: only the watch can bring the CR back (RESYNC_SECONDS is 600).
    await createCredentials(clusterEnv().kc, ns.name, "late-creds");
    await eventually(() => readyTrue("late"), { timeout: 60_000 });
    expect(await gauge("Secret")).toBe((TENANTS + 1) * 2); // still only the operator's own Secrets
    expect(await gauge("ReferencedSecret")).toBe(TENANTS + 1);

    // Changed: the pods roll with the new credentials checksum.
    const checksum = (d: V1Deployment) => d.spec?.template.metadata?.annotations?.[CREDENTIALS_CHECKSUM_ANNOTATION];
    const before = checksum(await apps.readNamespacedDeployment({ name: names.deployment, namespace: ns.name }));
    expect(before).toBeTruthy();
    await core().replaceNamespacedSecret({
      name: "late-creds",
      namespace: ns.name,
      body: { metadata: { name: "late-creds" }, data: { clientId: b64("client-id-1"), clientSecret: b64("rotated") } },
    });
    await eventually(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: names.deployment, namespace: ns.name });
        expect(checksum(d)).not.toBe(before);
        expect(d.status?.updatedReplicas).toBe(1);
        expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
      },
      { timeout: 60_000 },
    );

    // Deleted: the condition says so, and the Secret's data is no longer held.
    await core().deleteNamespacedSecret({ name: "late-creds", namespace: ns.name });
    await eventually(
      async () => {
        const obj = await zi().get(ns.name, "late");
        expect(condition(obj, "CredentialsValid")).toMatchObject({ status: "False", reason: "SecretNotFound" });
        expect(condition(obj, "Ready")).toMatchObject({ status: "False", reason: "SecretNotFound" });
        expect(await gauge("ReferencedSecret")).toBe(TENANTS);
      },
      { timeout: 60_000 },
    );
  }, 240_000);
});

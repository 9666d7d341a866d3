// Two operator replicas: only the Lease holder writes; when it dies the standby takes over; an
// operator killed mid-reconcile converges after a restart without duplicates or a rotated token.
import { CoordinationV1Api, CoreV1Api, AppsV1Api } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const operators: OperatorProcess[] = [];
const ns = useNamespace("ha", () => operators.map((o) => `--- ${o.identity}\n${o.lines.slice(-40).join("\n")}`).join("\n"));
afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
});

async function operator(identity: string): Promise<OperatorProcess> {
  const op = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity,
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, LEASE_NAME: "zio-ha" },
  });
  operators.push(op);
  return op;
}

const holder = async () =>
  (await clusterEnv().kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: "zio-ha", namespace: ns.name })).spec?.holderIdentity;

async function ready(name: string, timeout = 60_000) {
  await eventually(
    async () => {
      const zi = await ziApi(clusterEnv().kc).get(ns.name, name);
      expect(condition(zi, "Ready")?.status).toBe("True");
    },
    { timeout },
  );
}

describe("two operator replicas", () => {
  it("lets only the Lease holder write, and fails over to the standby when the leader is killed", async () => {
    const a = await operator("op-a");
    await eventually(async () => expect(await holder()).toBe("op-a"));
    const b = await operator("op-b");
    const { kc } = clusterEnv();
    await createCredentials(kc, ns.name, "one-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("one"));
    await ready("one");
    expect(counterSum(await a.metrics(), "zio_operator_writes_total")).toBeGreaterThan(0);
    expect(counterSum(await b.metrics(), "zio_operator_writes_total")).toBe(0);
    expect(counterSum(await b.metrics(), "zio_operator_leader")).toBe(0);

    const killedAt = Date.now();
    await a.kill();
    await eventually(async () => expect(await holder()).toBe("op-b"), { timeout: 40_000, interval: 250 });
    const tookOver = Date.now() - killedAt;
    await createCredentials(kc, ns.name, "two-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("two"));
    await ready("two");
    console.log(
      `[measure] standby took the Lease ${tookOver} ms after the leader was killed; reconciled a new CR ${Date.now() - killedAt} ms after`,
    );
    expect(counterSum(await b.metrics(), "zio_operator_writes_total")).toBeGreaterThan(0);
  });

  it("converges after being killed mid-reconcile, without duplicate children or a rotated API token", async () => {
    const { kc } = clusterEnv();
    for (const op of operators) await op.stop();
    const first = await operator("op-c");
    await eventually(async () => expect(await holder()).toBe("op-c"), { timeout: 40_000 });
    for (let i = 0; i < 15; i++) {
      await createCredentials(kc, ns.name, `k${i}-creds`);
      await ziApi(kc).create(ns.name, zoomIntegration(`k${i}`));
    }
    // kill while work is in flight: some tenants are half applied
    await eventually(
      async () => expect(counterSum(await first.metrics(), "zio_operator_writes_total", { kind: "Deployment" })).toBeGreaterThan(2),
      { interval: 20 },
    );
    const core = kc.makeApiClient(CoreV1Api);
    const tokensBefore = new Map<string, string>();
    for (const s of (await core.listNamespacedSecret({ namespace: ns.name })).items) {
      if (s.metadata?.name?.endsWith("-zoom-api-token")) tokensBefore.set(s.metadata.name, s.data?.["token"] ?? "");
    }
    await first.kill();
    await operator("op-d");
    for (let i = 0; i < 15; i++) await ready(`k${i}`, 90_000);
    const deployments = (await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: ns.name })).items;
    for (let i = 0; i < 15; i++) expect(deployments.filter((d) => d.metadata?.name === `k${i}-zoom`)).toHaveLength(1);
    for (const s of (await core.listNamespacedSecret({ namespace: ns.name })).items) {
      const before = tokensBefore.get(s.metadata?.name ?? "");
      if (before !== undefined) expect(s.data?.["token"], `${s.metadata?.name} was regenerated`).toBe(before);
    }
  });
});

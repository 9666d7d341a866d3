// Scale and steady state: 100 ZoomIntegrations converge, and a resync of unchanged objects makes
// zero writes, as counted by kube-apiserver itself (/metrics) and by the operator.
import { apiserverChildReads, apiserverWrites } from "../support/apiserver-writes.ts";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterEnv, kubectl, otherTestNamespacesGone, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const COUNT = 100;
const RESYNC_SECONDS = 10;
let operator: OperatorProcess;
const ns = useNamespace("scale", () => operator?.lines.slice(-60).join("\n") ?? "");

beforeAll(async () => {
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "scale-op",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: String(RESYNC_SECONDS), WORKERS: "4", LOG_LEVEL: "info" },
  });
});
afterAll(async () => operator?.stop());

async function rssMiB(pid: number): Promise<number> {
  const kb = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

describe("the operator at scale", () => {
  it(`converges ${COUNT} ZoomIntegrations to Ready`, async () => {
    const { kc } = clusterEnv();
    const t0 = Date.now();
    for (let i = 0; i < COUNT; i++) {
      await createCredentials(kc, ns.name, `t${i}-creds`);
      await ziApi(kc).create(ns.name, zoomIntegration(`t${i}`));
    }
    const created = Date.now() - t0;
    await eventually(
      async () => {
        const res = await kubectl(["get", "zoomintegrations", "-n", ns.name, "-o", "json"]);
        const items = JSON.parse(res.stdout).items as Parameters<typeof condition>[0][];
        const ready = items.filter((z) => condition(z, "Ready")?.status === "True").length;
        expect(ready).toBe(COUNT);
      },
      { timeout: 240_000, interval: 1000 },
    );
    console.log(
      `[measure] ${COUNT} ZoomIntegrations created in ${created} ms, all Ready after ${Date.now() - t0} ms; operator RSS ${(await rssMiB(operator.pid)).toFixed(0)} MiB`,
    );
  }, 300_000);

  it("makes zero writes, and reads no child again, when a resync finds nothing changed", async () => {
    // NB: the API server's counters are cluster-wide: wait until the namespaces earlier test files
    // deleted are gone, or the namespace controller's DELETEs would be counted too.
    await otherTestNamespacesGone([ns.name]);
    // let the Deployments settle (their status changes re-enqueue the owners) before counting
    await new Promise((r) => setTimeout(r, 3000));
    const reconcilesBefore = counterSum(await operator.metrics(), "zio_operator_reconciles_total");
    const opBefore = counterSum(await operator.metrics(), "zio_operator_writes_total");
    const apiBefore = await apiserverWrites();
    const readsBefore = await apiserverChildReads();
    await new Promise((r) => setTimeout(r, (RESYNC_SECONDS * 2 + 2) * 1000));
    const reconciles = counterSum(await operator.metrics(), "zio_operator_reconciles_total") - reconcilesBefore;
    const opWrites = counterSum(await operator.metrics(), "zio_operator_writes_total") - opBefore;
    const apiWrites = (await apiserverWrites()) - apiBefore;
    const childReads = (await apiserverChildReads()) - readsBefore;
    console.log(
      `[measure] steady state over ${RESYNC_SECONDS * 2 + 2} s: ${reconciles} reconciles, ${opWrites} operator writes, ${apiWrites} API-server writes, ${childReads} children read whole`,
    );
    expect(reconciles).toBeGreaterThanOrEqual(COUNT * 2); // two full resyncs really ran
    expect(opWrites).toBe(0);
    expect(apiWrites).toBe(0);
    // a child that did not change since it was compared is not read again (caches.ts CHILD_VIEWS);
    // the counter does see reads: converging read the Deployments whose status had moved
    expect(readsBefore).toBeGreaterThan(0);
    expect(childReads).toBe(0);
  }, 240_000);

  it("reads no child again when only the Deployments' status moved (every pod replaced)", async () => {
    const before = counterSum(await operator.metrics(), "zio_operator_reconciles_total");
    const readsBefore = await apiserverChildReads();
    await kubectl(["delete", "pods", "--all", "-n", ns.name, "--wait=false"]);
    // the Deployments' status goes down and up again: each change enqueues its tenant
    await eventually(
      async () => {
        const res = await kubectl(["get", "deployments", "-n", ns.name, "-o", "json"]);
        const items = JSON.parse(res.stdout).items as { status?: { availableReplicas?: number; observedGeneration?: number } }[];
        expect(items.filter((d) => (d.status?.availableReplicas ?? 0) >= 1)).toHaveLength(COUNT);
        const pods = JSON.parse((await kubectl(["get", "pods", "-n", ns.name, "-o", "json"])).stdout).items as {
          metadata: { deletionTimestamp?: string };
        }[];
        expect(pods.filter((p) => p.metadata.deletionTimestamp)).toHaveLength(0);
      },
      { timeout: 120_000, interval: 1000 },
    );
    await eventually(async () => expect(counterSum(await operator.metrics(), "zio_operator_queue_depth")).toBe(0), { timeout: 60_000 });
    const reconciles = counterSum(await operator.metrics(), "zio_operator_reconciles_total") - before;
    const childReads = (await apiserverChildReads()) - readsBefore;
    console.log(`[measure] every pod replaced: ${reconciles} reconciles, ${childReads} children read whole`);
    expect(reconciles).toBeGreaterThanOrEqual(COUNT); // the status changes did reach the operator
    // a status update changes no content version (slim.ts): nothing to compare again
    expect(childReads).toBe(0);
  }, 240_000);
});

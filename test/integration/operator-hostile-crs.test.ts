// Hostile-but-valid ZoomIntegrations (test/support/hostile-crs.ts: maximum-length fields, unicode,
// every quantity spelling, selectors matching everything or nothing, 300 podLabels, a contested
// domain, missing Secrets), plus rapid delete/recreate of one name and updates at 20/s to one CR:
// the operator keeps running, within its memory bound, and every CR's status says where it stands.
// CI size: about 100 CRs; HOSTILE_SCALE=5 for about 500 (see README, Development).
import { retry } from "../../common/retry.ts";
import { readFile } from "node:fs/promises";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reason } from "../../common/api/constants.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { clusterEnv, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type HostileCr, hostileCrs } from "../support/hostile-crs.ts";
import { counterSum, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { b64, condition, type ZiLike, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const SCALE = Number(process.env["HOSTILE_SCALE"] ?? "1");
/** The install's memory limit (charts/install DEFAULT_RESOURCES): the bound the operator must stay within. */
const MEMORY_BOUND_MIB = 512;
let operator: OperatorProcess;
const ns = useNamespace("hostile", () => operator?.lines.slice(-60).join("\n") ?? "");
const kc = () => clusterEnv().kc;
const REASONS = new Set<string>(Object.values(Reason));

async function rssMiB(pid: number): Promise<number> {
  const kb = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

beforeAll(async () => {
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "hostile-op",
    env: {
      WATCH_NAMESPACES: ns.name,
      POD_NAMESPACE: ns.name,
      RESYNC_SECONDS: "600",
      WORKERS: "4",
      LOG_LEVEL: "info",
      // The heap the install gives it (75% of the 512 MiB limit): running out would crash it, and fail the test.
      NODE_OPTIONS: `--max-old-space-size=${Math.floor(MEMORY_BOUND_MIB * 0.75)}`,
    },
  });
});
afterAll(async () => operator?.stop());

async function createCredentials(cr: HostileCr) {
  if (cr.credentials === "none") return;
  const ref = cr.body.spec.credentialsSecretRef as { name: string; clientIdKey?: string; clientSecretKey?: string };
  const data: Record<string, string> = { [ref.clientIdKey ?? "clientId"]: b64(`id-${cr.name}`) };
  if (cr.credentials === "both") data[ref.clientSecretKey ?? "clientSecret"] = b64(`secret-${cr.name}`);
  await kc()
    .makeApiClient(CoreV1Api)
    .createNamespacedSecret({ namespace: ns.name, body: { metadata: { name: ref.name }, data } });
}

async function listAll(): Promise<ZiLike[]> {
  const res = await kubectl(["get", "zoomintegrations", "-n", ns.name, "-o", "json"]);
  return JSON.parse(res.stdout).items as ZiLike[];
}

const converged = (zi: ZiLike) => zi.status?.observedGeneration === zi.metadata.generation && condition(zi, "Ready") !== undefined;

describe("hostile ZoomIntegrations", () => {
  const crs = hostileCrs(SCALE);

  it(`leave the operator running within its memory bound, each of ${crs.length} CRs with a status that says where it stands`, async () => {
    expect(crs.length).toBeGreaterThanOrEqual(100 * SCALE);
    const rssBefore = await rssMiB(operator.pid);
    const t0 = Date.now();
    for (const cr of crs) {
      await createCredentials(cr);
      await ziApi(kc()).create(ns.name, cr.body);
    }
    const byName = new Map(crs.map((c) => [c.name, c]));
    const items = await eventually(
      async () => {
        const all = (await listAll()).filter((z) => byName.has(z.metadata.name));
        expect(all.length).toBe(crs.length);
        const pending = all.filter((z) => !converged(z) || !byName.get(z.metadata.name)!.expected.includes(condition(z, "Ready")!.reason));
        expect(pending.map((z) => `${z.metadata.name}: ${JSON.stringify(condition(z, "Ready"))}`).slice(0, 5)).toEqual([]);
        return all;
      },
      { timeout: 300_000, interval: 2000 },
    );
    const rssAfter = await rssMiB(operator.pid);
    const tally = new Map<string, number>();
    for (const zi of items) {
      const ready = condition(zi, "Ready")!;
      expect(REASONS.has(ready.reason), ready.reason).toBe(true);
      expect(ready.message.length, zi.metadata.name).toBeGreaterThan(0);
      const key = `${byName.get(zi.metadata.name)!.category}/${ready.reason}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // A contested domain has exactly one holder; every other claimant names it.
    const contested = items.filter((z) => byName.get(z.metadata.name)!.category === "contested-domain");
    expect(contested.filter((z) => condition(z, "Ready")!.reason !== Reason.DomainConflict)).toHaveLength(SCALE);
    console.log(
      `[measure] ${crs.length} hostile ZoomIntegrations converged in ${Date.now() - t0} ms; operator RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB (bound ${MEMORY_BOUND_MIB}); Ready reasons by category: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`,
    );
    expect(rssAfter).toBeLessThan(MEMORY_BOUND_MIB);
    expect((await operator.probe("/healthz")).status).toBe(200);
    expect(counterSum(await operator.metrics(), "zio_operator_reconciles_total", { reason: "Unexpected" })).toBe(0);
  }, 400_000);

  it("survive rapid delete and recreate of one name: the last object owns the children", async () => {
    await createCredentials({ ...crs[0]!, name: "churn", body: zoomIntegration("churn"), credentials: "both" });
    for (let i = 0; i < 10; i++) {
      await ziApi(kc()).create(ns.name, zoomIntegration("churn"));
      // NB: the finalizer may not be on yet, or may be: either way the object goes (Revoke with no grants).
      await ziApi(kc()).delete(ns.name, "churn");
      await eventually(async () => expect((await listAll()).some((z) => z.metadata.name === "churn")).toBe(false), { timeout: 30_000 });
    }
    const last = (await ziApi(kc()).create(ns.name, zoomIntegration("churn"))) as ZiLike;
    await eventually(
      async () => {
        const zi = await ziApi(kc()).get(ns.name, "churn");
        expect(condition(zi, "Ready"), JSON.stringify(zi.status?.conditions)).toMatchObject({ status: "True" });
        const deployment = await kc()
          .makeApiClient(AppsV1Api)
          .readNamespacedDeployment({ name: tenantNames("churn").deployment, namespace: ns.name });
        expect(deployment.metadata?.ownerReferences?.[0]?.uid).toBe(last.metadata.uid);
      },
      { timeout: 90_000 },
    );
  }, 200_000);

  it("absorb 100 updates at 20 per second to one CR and settle on the last one", async () => {
    const name = "hammer";
    await createCredentials({ ...crs[0]!, name, body: zoomIntegration(name), credentials: "both" });
    await ziApi(kc()).create(ns.name, zoomIntegration(name));
    // 20/s on the clock, each patch not waiting for the one before (so the API server's latency does
    // not slow the rate); they may land out of order, so the expectation is whatever the CR says last.
    const t0 = Date.now();
    const patches: Promise<unknown>[] = [];
    for (let i = 1; i <= 100; i++) {
      // NB: a loaded API server may answer 504/429 to a burst: the client retries, as kubectl would.
      const patch = () => ziApi(kc()).patch(ns.name, name, { spec: { service: { podLabels: { "example.com/rev": `r${i}` } } } });
      patches.push(retry(patch, { attempts: 5, baseMs: 200, maxMs: 2000, retryable: isOverloaded }));
      const wait = t0 + i * 50 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const issued = Date.now() - t0;
    await Promise.all(patches);
    const answered = Date.now() - t0;
    await eventually(
      async () => {
        const zi = await ziApi(kc()).get(ns.name, name);
        expect(zi.status?.observedGeneration).toBe(zi.metadata.generation);
        const last = (zi.spec["service"] as { podLabels: Record<string, string> }).podLabels["example.com/rev"];
        const deployment = await kc()
          .makeApiClient(AppsV1Api)
          .readNamespacedDeployment({ name: tenantNames(name).deployment, namespace: ns.name });
        expect(deployment.spec?.template.metadata?.labels?.["example.com/rev"]).toBe(last);
        expect(condition(zi, "Ready")?.status).toBe("True");
      },
      { timeout: 90_000 },
    );
    const metrics = await operator.metrics();
    console.log(
      `[measure] 100 updates issued over ${issued} ms (${(100_000 / issued).toFixed(1)}/s), all answered by the API server after ${answered} ms; operator RSS ${(await rssMiB(operator.pid)).toFixed(0)} MiB; reconciles so far ${counterSum(metrics, "zio_operator_reconciles_total")}`,
    );
    expect((await operator.probe("/healthz")).status).toBe(200);
  }, 200_000);
});

/** The API server's "try again" answers: 429 (priority and fairness) and 5xx timeouts. */
function isOverloaded(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" && (code === 429 || code >= 500);
}

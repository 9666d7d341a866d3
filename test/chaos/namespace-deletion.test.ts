// Scenario 6: a tenant namespace deleted as a whole, with connected tenants. The namespace
// controller deletes the Secrets along with the ZoomIntegrations; the revoke guard keeps the grants
// and the client credentials until the operator revoked them. With Zoom unreachable the namespace
// still goes (after the revoke timeout), and the operator's log names what to revoke by hand.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterEnv, createNamespace, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { logLines, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { condition, ziApi } from "../support/tenant-fixtures.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { figures, secondsSince } from "./support/chaos-kit.ts";
import { chaosSeed, connectTenant, createTenant } from "./support/chaos-tenants.ts";

const TENANTS = ["n0", "n1", "n2"];
let zoom: ZoomEmulator;
let operator: OperatorProcess;
const tenantNamespaces: string[] = [];
const ops = useNamespace("chaos-nsdel", () => operator?.lines.slice(-60).join("\n") ?? "");

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false }, seed: chaosSeed(TENANTS) });
  tenantNamespaces.push(await createNamespace("chaos-gone"), await createNamespace("chaos-gone-down"));
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "nsdel-op",
    // NB: the operator's Lease lives in its own namespace, never in one that is deleted under it
    env: { WATCH_NAMESPACES: tenantNamespaces.join(","), POD_NAMESPACE: ops.name, LOG_LEVEL: "info", REVOKE_TIMEOUT_SECONDS: "4" },
  });
}, 120_000);
afterAll(async () => {
  await operator?.stop();
  await zoom?.close();
});

async function connectedTenants(namespace: string): Promise<Map<string, string>> {
  const { kc } = clusterEnv();
  for (const name of TENANTS) await createTenant(kc, namespace, name, zoom.url);
  const grants = new Map<string, string>();
  for (const name of TENANTS) grants.set(name, await connectTenant(kc, zoom, namespace, name));
  await eventually(
    async () => {
      for (const name of TENANTS) expect(condition(await ziApi(kc).get(namespace, name), "Connected")?.status).toBe("True");
    },
    { timeout: 90_000 },
  );
  return grants;
}

async function deleteNamespaceAndWait(namespace: string): Promise<number> {
  const t0 = performance.now();
  const res = await kubectl(["delete", "namespace", namespace, "--wait=false"]);
  expect(res.code, res.stderr).toBe(0);
  const core = clusterEnv().kc.makeApiClient(CoreV1Api);
  await eventually(async () => expect(core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 }), {
    timeout: 120_000,
    interval: 500,
  });
  return secondsSince(t0);
}

describe("scenario 6: a namespace deleted as a whole", () => {
  it("revokes every tenant's grant before its Secrets go, and the namespace is fully gone", async () => {
    const [namespace] = tenantNamespaces;
    const grants = await connectedTenants(namespace!);
    const goneAfter = await deleteNamespaceAndWait(namespace!);
    const ended = new Set(
      zoom
        .inspect()
        .grants.filter((g) => g.ended)
        .map((g) => g.id),
    );
    const revoked = TENANTS.filter((n) => ended.has(grants.get(n)!));
    figures("6 namespace deleted", { tenants: TENANTS.length, revoked: revoked.length, namespaceGoneAfterS: goneAfter });
    expect(revoked).toEqual(TENANTS);
  });

  it("still removes the namespace when Zoom is unreachable, and the operator's log names the grants to revoke by hand", async () => {
    const [, namespace] = tenantNamespaces;
    const grants = await connectedTenants(namespace!);
    zoom.faults.inject("POST /oauth/revoke", { kind: "status", status: 503 });
    const goneAfter = await deleteNamespaceAndWait(namespace!);
    zoom.faults.clear();
    const ended = new Set(
      zoom
        .inspect()
        .grants.filter((g) => g.ended)
        .map((g) => g.id),
    );
    expect(TENANTS.filter((n) => ended.has(grants.get(n)!))).toEqual([]);
    const records = logLines(operator.lines, "warn", "gave up revoking Zoom grants").map((l) => JSON.stringify(l));
    for (const name of TENANTS) expect(records.some((r) => r.includes(`${namespace}/${name}`) && r.includes(`org-${name}`))).toBe(true);
    figures("6 namespace deleted, Zoom down", { tenants: TENANTS.length, reportedInLog: records.length, namespaceGoneAfterS: goneAfter });
  });
});

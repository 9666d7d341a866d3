// Domain claims against the real control plane: one domain routes to one ZoomIntegration across
// namespaces; the oldest claim holds it, a later claimant gets Ready=False DomainConflict and no
// Ingress (a live one is deleted), and the next claimant takes over when the holder goes.
import { NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantNames } from "../../common/tenant/names.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

let operator: OperatorProcess | undefined;
const logs = () => operator?.lines.slice(-60).join("\n") ?? "";
const a = useNamespace("claims-a", logs);
const b = useNamespace("claims-b", logs);
const SHARED = "shared-claims.example";

beforeAll(async () => {
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "claims",
    env: { WATCH_NAMESPACES: `${a.name},${b.name}`, POD_NAMESPACE: a.name, RESYNC_SECONDS: "600" },
  });
  for (const ns of [a.name, b.name])
    for (const name of ["acme", "mover", "thief"]) await createCredentials(clusterEnv().kc, ns, `${name}-creds`);
});
afterAll(async () => operator?.stop());

const zi = () => ziApi(clusterEnv().kc);
const net = () => clusterEnv().kc.makeApiClient(NetworkingV1Api);
async function ingressExists(namespace: string, name: string): Promise<boolean> {
  const list = await net().listNamespacedIngress({ namespace });
  return list.items.some((i) => i.metadata?.name === tenantNames(name).ingress);
}
async function expectConflict(namespace: string, name: string, holder: string) {
  const obj = await zi().get(namespace, name);
  const ready = condition(obj, "Ready");
  expect(ready, JSON.stringify(obj.status?.conditions)).toMatchObject({ status: "False", reason: "DomainConflict" });
  expect(ready?.message).toContain(holder);
  expect(condition(obj, "Routed")).toMatchObject({ status: "False", reason: "DomainConflict" });
  expect(await ingressExists(namespace, name)).toBe(false);
}
async function expectRouted(namespace: string, name: string) {
  const obj = await zi().get(namespace, name);
  expect(condition(obj, "Routed"), JSON.stringify(obj.status?.conditions)).toMatchObject({ status: "True" });
  expect(await ingressExists(namespace, name)).toBe(true);
}

describe("domain claims", () => {
  it("give a domain to the oldest claim only, remove a loser's live route, and pass it on when the holder goes", async () => {
    await zi().create(a.name, zoomIntegration("acme", { domain: SHARED }));
    await eventually(() => expectRouted(a.name, "acme"), { timeout: 60_000 });
    await zi().create(b.name, zoomIntegration("mover", { domain: "mover-claims.example" }));
    await eventually(() => expectRouted(b.name, "mover"), { timeout: 60_000 });

    // A later claimant in another namespace: no route at all, and the status names the holder.
    await zi().create(b.name, zoomIntegration("thief", { domain: SHARED }));
    await eventually(() => expectConflict(b.name, "thief", `${a.name}/acme`), { timeout: 60_000 });

    // A tenant that moves onto a held domain loses the route it had.
    await zi().patch(b.name, "mover", { spec: { domain: SHARED } });
    await eventually(() => expectConflict(b.name, "mover", `${a.name}/acme`), { timeout: 60_000 });
    await expectRouted(a.name, "acme");

    // The holder goes: the next oldest claim (mover; a tie in seconds goes to the smaller name) takes over.
    await zi().delete(a.name, "acme");
    await eventually(() => expectRouted(b.name, "mover"), { timeout: 90_000 });
    await eventually(() => expectConflict(b.name, "thief", `${b.name}/mover`), { timeout: 30_000 });
  });
});

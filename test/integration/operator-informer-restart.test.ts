// client-node's informers stop for good on a watch error; the operator restarts them with backoff.
// A real error: the operator's RBAC is withdrawn (the next re-list is refused with 403), then
// given back; the operator must notice a ZoomIntegration created meanwhile, without a restart.
import { RbacAuthorizationV1Api, type V1PolicyRule } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { CLUSTER_RULES, LEADER_ELECTION_RULES, policyRules, TENANT_RULES } from "../../charts/install/operator-rbac.ts";
import { clusterEnv, kubectl, useNamespace, userKubeConfig } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

const USER = "zio-restart-operator";
let operator: OperatorProcess | undefined;
const ns = useNamespace("restart", () => operator?.lines.slice(-40).join("\n") ?? "");
afterAll(async () => {
  await operator?.stop();
  await kubectl(["delete", "clusterrole,clusterrolebinding", `${USER}-crd`, "--ignore-not-found"]);
});

const rbac = () => clusterEnv().kc.makeApiClient(RbacAuthorizationV1Api);
const subject = [{ kind: "User", name: USER, apiGroup: "rbac.authorization.k8s.io" }];
const binding = (name: string) => ({
  metadata: { name },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
  subjects: subject,
});

async function grantNamespaceRights(): Promise<void> {
  // NB: the Lease rights stay put (without them the leader steps down and exits, by design); only
  // the rights the informers need are withdrawn.
  const role = async (name: string, rules: V1PolicyRule[]) => {
    await rbac().createNamespacedRole({ namespace: ns.name, body: { metadata: { name }, rules } });
    await rbac().createNamespacedRoleBinding({ namespace: ns.name, body: binding(name) });
  };
  await role(USER, policyRules(TENANT_RULES) as V1PolicyRule[]);
  await role(`${USER}-lease`, policyRules(LEADER_ELECTION_RULES) as V1PolicyRule[]);
  await rbac().createClusterRole({ body: { metadata: { name: `${USER}-crd` }, rules: policyRules(CLUSTER_RULES) as V1PolicyRule[] } });
  await rbac().createClusterRoleBinding({
    body: {
      metadata: { name: `${USER}-crd` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${USER}-crd` },
      subjects: subject,
    },
  });
}

const ready = async (name: string) => expect(condition(await ziApi(clusterEnv().kc).get(ns.name, name), "Ready")?.status).toBe("True");

describe("the operator's informers", () => {
  it("are restarted with backoff after a watch error and catch up once the error is gone", async () => {
    const { kc } = clusterEnv();
    await grantNamespaceRights();
    const user = await userKubeConfig(USER);
    const kubeconfigPath = join(clusterEnv().dir, `${USER}.kubeconfig`);
    await writeFile(kubeconfigPath, user.exportConfig());
    operator = await startOperator({
      kubeconfigPath,
      identity: "restart-op",
      env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600" },
    });
    await createCredentials(kc, ns.name, "one-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("one"));
    await eventually(() => ready("one"), { timeout: 60_000 });

    await rbac().deleteNamespacedRoleBinding({ name: USER, namespace: ns.name });
    // the API server ends watches after 10-20 s (--min-request-timeout); the re-list is then refused
    await eventually(
      async () => {
        expect(counterSum(await operator!.metrics(), "zio_operator_informer_restarts_total")).toBeGreaterThan(0);
      },
      { timeout: 90_000, interval: 1000 },
    );
    await createCredentials(kc, ns.name, "two-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("two"));

    await rbac().createNamespacedRoleBinding({ namespace: ns.name, body: binding(USER) });
    await eventually(() => ready("two"), { timeout: 90_000, interval: 1000 });
    expect(operator.lines.some((l) => l.includes("watch failed; restarting informer"))).toBe(true);
    expect(await fetch(`http://127.0.0.1:${operator.healthPort}/healthz`).then((r) => r.status)).toBe(200);
  }, 240_000);
});

// The operator's probes tell the truth: /readyz goes false while its watches fail (RBAC withdrawn)
// and /healthz once they have failed longer than the bound, both back to true when the RBAC is
// restored; a replica whose Lease namespace is missing says so at warn level, once, and joins the
// election as soon as the namespace exists.
import { CoreV1Api, RbacAuthorizationV1Api, type V1PolicyRule } from "@kubernetes/client-node";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLUSTER_RULES, LEADER_ELECTION_RULES, policyRules, TENANT_RULES } from "../../charts/install/operator-rbac.ts";
import { clusterEnv, kubectl, useNamespace, userKubeConfig } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, logLines, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const USER = "zio-health-operator";
const STUCK_WATCH_SECONDS = 30; // the smallest bound the operator accepts
const LEASE_NAMESPACE = `zio-health-lease-${process.pid}`;
const POLICY = `zio-health-refuse-services-${process.pid}`;
const operators: OperatorProcess[] = [];
const ns = useNamespace("health", () => operators.map((o) => `--- ${o.identity}\n${o.lines.slice(-40).join("\n")}`).join("\n"));
afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await kubectl(["delete", "clusterrole,clusterrolebinding", `${USER}-crd`, "--ignore-not-found"]);
  await kubectl(["delete", "namespace", LEASE_NAMESPACE, "--ignore-not-found", "--wait=false"]);
  await kubectl(["delete", "validatingadmissionpolicy,validatingadmissionpolicybinding", POLICY, "--ignore-not-found"]);
});

const rbac = () => clusterEnv().kc.makeApiClient(RbacAuthorizationV1Api);
const subject = [{ kind: "User", name: USER, apiGroup: "rbac.authorization.k8s.io" }];
const binding = (name: string) => ({
  metadata: { name },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
  subjects: subject,
});

/** The install's rights, namespaced; the Lease rights are separate so that only the informers' can be withdrawn. */
async function grantRights(): Promise<void> {
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

describe("the operator's probes", () => {
  it("go false when the operator loses its RBAC (readiness at once, liveness after the bound) and back to true when it is restored", async () => {
    const { kc } = clusterEnv();
    await grantRights();
    const kubeconfigPath = join(clusterEnv().dir, `${USER}.kubeconfig`);
    await writeFile(kubeconfigPath, (await userKubeConfig(USER)).exportConfig());
    const operator = await startOperator({
      kubeconfigPath,
      identity: "health-op",
      env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600", STUCK_WATCH_SECONDS: String(STUCK_WATCH_SECONDS) },
    });
    operators.push(operator);
    await createCredentials(kc, ns.name, "one-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("one"));
    await eventually(async () => expect(condition(await ziApi(kc).get(ns.name, "one"), "Ready")?.status).toBe("True"), { timeout: 60_000 });
    expect(await operator.probe("/readyz")).toEqual({ status: 200, reason: "ok" });
    expect((await operator.probe("/healthz")).status).toBe(200);

    await rbac().deleteNamespacedRoleBinding({ name: USER, namespace: ns.name });
    // the API server ends watches after 10-20 s (--min-request-timeout); the re-watch is then refused
    const notReady = await eventually(
      async () => {
        const answer = await operator.probe("/readyz");
        expect(answer.status).toBe(503);
        return answer;
      },
      { timeout: 90_000, interval: 500 },
    );
    expect(notReady.reason).toMatch(/a watch has been failing for \d+ s: cannot reconcile/);
    const notAlive = await eventually(
      async () => {
        const answer = await operator.probe("/healthz");
        expect(answer.status).toBe(503);
        return answer;
      },
      { timeout: 90_000, interval: 1000 },
    );
    expect(notAlive.reason).toMatch(new RegExp(`a watch has been failing for \\d+ s \\(bound ${STUCK_WATCH_SECONDS} s\\)`));

    await rbac().createNamespacedRoleBinding({ namespace: ns.name, body: binding(USER) });
    // the informers retry with a backoff capped at 30 s
    await eventually(
      async () => {
        expect(await operator.probe("/readyz")).toEqual({ status: 200, reason: "ok" });
        expect(await operator.probe("/healthz")).toEqual({ status: 200, reason: "ok" });
      },
      { timeout: 90_000, interval: 1000 },
    );
    await operator.stop();
  }, 300_000);
});

describe("a replica whose Lease namespace does not exist", () => {
  it("says so at warn level once, naming the namespace and the Lease, is not ready, and leads once the namespace exists", async () => {
    const operator = await startOperator({
      kubeconfigPath: clusterEnv().kubeconfigPath,
      identity: "homeless-op",
      env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: LEASE_NAMESPACE, LEASE_NAME: "zio-health" },
    });
    operators.push(operator);
    const warnings = () => logLines(operator.lines, "warn", "cannot take part in leader election");
    await eventually(() => expect(warnings()).toHaveLength(1), { timeout: 30_000 });
    expect(warnings()[0]).toMatchObject({ namespace: LEASE_NAMESPACE, lease: `${LEASE_NAMESPACE}/zio-health` });
    expect(String(warnings()[0]?.["problem"])).toContain(`the namespace ${LEASE_NAMESPACE} does not exist`);
    const notReady = await operator.probe("/readyz");
    expect(notReady.status).toBe(503);
    expect(notReady.reason).toContain(`cannot take part in leader election: the namespace ${LEASE_NAMESPACE} does not exist`);
    // the Lease is retried every 2 s: more tries fail the same way (at debug level), with no new warning
    await eventually(() => expect(logLines(operator.lines, "debug", "lease try failed").length).toBeGreaterThanOrEqual(4), {
      timeout: 30_000,
    });
    expect(warnings()).toHaveLength(1);

    await clusterEnv()
      .kc.makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: LEASE_NAMESPACE, labels: { "zio-test": "true" } } } });
    await eventually(
      async () => {
        expect(logLines(operator.lines, "info", "became leader")).toHaveLength(1);
        expect(await operator.probe("/readyz")).toEqual({ status: 200, reason: "ok" });
      },
      { timeout: 60_000 },
    );
    expect(logLines(operator.lines, "info", "leader election works again")).toHaveLength(1);
    await operator.stop();
  }, 120_000);
});

/** Refuses every Service in the test namespace at admission (422), like a cluster's own policy might. */
const refuseServices = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${POLICY}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"]}]
  validations: [{expression: "false", message: "Services are refused by policy ${POLICY}"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${POLICY}}
spec:
  policyName: ${POLICY}
  validationActions: [Deny]
  matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: NAMESPACE}}}
`;

describe("the reason of a failed reconcile", () => {
  it("reaches the error metric: a child refused at admission counts as Invalid, not Unexpected", async () => {
    const { kc } = clusterEnv();
    expect((await kubectl(["apply", "-f", "-"], { input: refuseServices.replace("NAMESPACE", ns.name) })).code).toBe(0);
    const operator = await startOperator({
      kubeconfigPath: clusterEnv().kubeconfigPath,
      identity: "reason-op",
      env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, LEASE_NAME: "zio-health-reason" },
    });
    operators.push(operator);
    await createCredentials(kc, ns.name, "refused-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("refused"));
    await eventually(
      async () => {
        const ready = condition(await ziApi(kc).get(ns.name, "refused"), "Ready");
        expect(ready).toMatchObject({ status: "False", reason: "ReconcileFailed" });
        expect(ready?.message).toContain(`refused by policy ${POLICY}`);
        expect(
          counterSum(await operator.metrics(), "zio_operator_reconciles_total", { result: "error", reason: "Invalid" }),
        ).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(counterSum(await operator.metrics(), "zio_operator_reconciles_total", { reason: "Unexpected" })).toBe(0);
    await operator.stop();
  }, 120_000);
});

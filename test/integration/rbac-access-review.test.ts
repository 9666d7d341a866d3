// Least privilege, asked of the real API server: SubjectAccessReview tables for the operator in both
// install modes (cluster-wide, namespaced) and for a tenant's service account, plus real escalation
// attempts (as the ServiceAccount, by impersonation, dry run) and an operator installed namespaced,
// with no cluster-wide Secret access at all, reconciling a tenant to Ready.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AuthorizationV1Api, KubeConfig, type V1ResourceAttributes } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_NAME } from "../../charts/install/install-chart.ts";
import { installYaml, renderInstall } from "../../charts/install/render.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { clusterEnv, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

// NB: not the built-in edit/admin roles: they are aggregated, and this control plane runs no
// aggregation controller, so they are empty (binding them escalates nothing).
const POD_READER = "zio-sar-pod-reader";
const RBAC_KINDS = new Set(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);
let operator: OperatorProcess | undefined;
const clusterOp = useNamespace("sar-opc");
const nsOp = useNamespace("sar-opn", () => operator?.lines.slice(-60).join("\n") ?? "");
const a = useNamespace("sar-a");
const b = useNamespace("sar-b");
const sa = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

beforeAll(async () => {
  const res = await kubectl(["create", "clusterrole", POD_READER, "--verb=get,list", "--resource=pods"]);
  expect(res.code, res.stderr).toBe(0);
});
afterAll(async () => {
  await operator?.stop();
  await kubectl(["delete", "clusterrole", "--ignore-not-found", POD_READER]);
  for (const kind of ["clusterrolebinding", "clusterrole"]) {
    await kubectl(["delete", kind, "--ignore-not-found", OPERATOR_NAME, `${OPERATOR_NAME}-crd-reader`]);
  }
});

async function applyRbac(props: Parameters<typeof renderInstall>[0]) {
  const objects = renderInstall(props).filter((o) => RBAC_KINDS.has(o.kind));
  const res = await kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], { input: installYaml(objects, "") });
  expect(res.code, res.stderr).toBe(0);
}

interface Row {
  readonly what: string;
  readonly attrs: V1ResourceAttributes;
}

/** Each row as "<what>: allowed|denied", from the API server's SubjectAccessReview for `user`. */
async function review(user: string, rows: readonly Row[]): Promise<string[]> {
  const api = clusterEnv().kc.makeApiClient(AuthorizationV1Api);
  const namespace = user.split(":")[2] ?? "";
  const groups = ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"];
  return Promise.all(
    rows.map(async ({ what, attrs }) => {
      const r = await api.createSubjectAccessReview({ body: { spec: { user, groups, resourceAttributes: attrs } } });
      return `${what}: ${r.status?.allowed ? "allowed" : "denied"}`;
    }),
  );
}

/** A real request as `user` (impersonated), dry run: refused by RBAC or by escalation prevention. */
async function attempt(user: string, args: readonly string[]) {
  const namespace = user.split(":")[2] ?? "";
  return kubectl([
    ...args,
    "--dry-run=server",
    `--as=${user}`,
    "--as-group=system:serviceaccounts",
    `--as-group=system:serviceaccounts:${namespace}`,
  ]);
}

const secret = (verb: string, namespace: string, name?: string): V1ResourceAttributes => ({
  verb,
  resource: "secrets",
  namespace,
  ...(name ? { name } : {}),
});
const escalationAttempts = (ns: string, user: string): (readonly string[])[] => [
  ["create", "rolebinding", "steal-admin", "--clusterrole=cluster-admin", `--user=${user}`, "-n", ns],
  ["create", "rolebinding", "steal-pods", `--clusterrole=${POD_READER}`, `--user=${user}`, "-n", ns],
  ["create", "role", "grab-pods", "--verb=get,list", "--resource=pods", "-n", ns],
  ["create", "clusterrolebinding", "steal-cluster", "--clusterrole=cluster-admin", `--user=${user}`],
];

async function expectEscalationsRefused(ns: string, user: string) {
  for (const args of escalationAttempts(ns, user)) {
    const res = await attempt(user, args);
    expect(res.code, args.join(" ")).not.toBe(0);
    expect(res.stderr, args.join(" ")).toMatch(/forbidden|attempting to grant RBAC permissions not currently held/i);
  }
}

describe("the operator installed cluster-wide", () => {
  it("may read and watch every namespace's Secrets (the trade-off) but not delete them, nor escalate", async () => {
    await applyRbac({ namespace: clusterOp.name });
    const user = sa(clusterOp.name, OPERATOR_NAME);
    expect(
      await review(user, [
        { what: "list Secrets in every namespace", attrs: secret("list", "") },
        { what: "get another tenant's Secret", attrs: secret("get", b.name, "beta-creds") },
        {
          what: "patch ZoomIntegrations in a tenant namespace",
          attrs: { verb: "patch", group: "bookingops.dev", resource: "zoomintegrations", namespace: a.name },
        },
        {
          what: "delete an Ingress (DomainConflict)",
          attrs: { verb: "delete", group: "networking.k8s.io", resource: "ingresses", namespace: a.name },
        },
        { what: "delete a Secret", attrs: secret("delete", a.name, "acme-creds") },
        {
          what: "delete a ZoomIntegration",
          attrs: { verb: "delete", group: "bookingops.dev", resource: "zoomintegrations", namespace: a.name },
        },
        { what: "read pods", attrs: { verb: "get", resource: "pods", namespace: a.name } },
        {
          what: "create a ClusterRoleBinding",
          attrs: { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" },
        },
        {
          what: "bind cluster-admin",
          attrs: { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles", name: "cluster-admin" },
        },
        { what: "escalate a Role", attrs: { verb: "escalate", group: "rbac.authorization.k8s.io", resource: "roles", namespace: a.name } },
        { what: "impersonate", attrs: { verb: "impersonate", resource: "users" } },
        {
          what: "read another Lease",
          attrs: { verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: clusterOp.name, name: "other" },
        },
      ]),
    ).toEqual([
      "list Secrets in every namespace: allowed",
      "get another tenant's Secret: allowed",
      "patch ZoomIntegrations in a tenant namespace: allowed",
      "delete an Ingress (DomainConflict): allowed",
      "delete a Secret: denied",
      "delete a ZoomIntegration: denied",
      "read pods: denied",
      "create a ClusterRoleBinding: denied",
      "bind cluster-admin: denied",
      "escalate a Role: denied",
      "impersonate: denied",
      "read another Lease: denied",
    ]);
    await expectEscalationsRefused(a.name, user);
  });
});

/** A kubeconfig with a real token of `serviceAccount` (TokenRequest): the operator authenticates as in its pod. */
async function serviceAccountKubeconfig(namespace: string, serviceAccount: string): Promise<string> {
  const token = await kubectl(["create", "token", serviceAccount, "-n", namespace, "--duration=1h"]);
  if (token.code !== 0) throw new Error(`kubectl create token failed: ${token.stderr}`);
  const env = clusterEnv();
  const user = sa(namespace, serviceAccount);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "zio", server: env.server, caData: (await readFile(join(env.dir, "ca.crt"))).toString("base64") }],
    users: [{ name: user, token: token.stdout.trim() }],
    contexts: [{ name: "zio", cluster: "zio", user }],
    currentContext: "zio",
  });
  const path = join(env.dir, `${namespace}-operator.kubeconfig`);
  await writeFile(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}

describe("the operator installed for one namespace", () => {
  it("holds nothing outside its namespace: no cluster-wide Secret access, no other tenant's Secret", async () => {
    await applyRbac({ namespace: nsOp.name, watchNamespaces: [a.name] });
    const user = sa(nsOp.name, OPERATOR_NAME);
    expect(
      await review(user, [
        { what: "list Secrets in its watched namespace", attrs: secret("list", a.name) },
        { what: "get a Secret in its watched namespace", attrs: secret("get", a.name, "acme-creds") },
        { what: "list Secrets in every namespace", attrs: secret("list", "") },
        { what: "watch Secrets in every namespace", attrs: secret("watch", "") },
        { what: "get a Secret in another namespace", attrs: secret("get", b.name, "beta-creds") },
        { what: "list Secrets in another namespace", attrs: secret("list", b.name) },
        {
          what: "list ZoomIntegrations in every namespace",
          attrs: { verb: "list", group: "bookingops.dev", resource: "zoomintegrations" },
        },
        {
          what: "get its CRD",
          attrs: {
            verb: "get",
            group: "apiextensions.k8s.io",
            resource: "customresourcedefinitions",
            name: "zoomintegrations.bookingops.dev",
          },
        },
        {
          what: "create a RoleBinding in another namespace",
          attrs: { verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: b.name },
        },
      ]),
    ).toEqual([
      "list Secrets in its watched namespace: allowed",
      "get a Secret in its watched namespace: allowed",
      "list Secrets in every namespace: denied",
      "watch Secrets in every namespace: denied",
      "get a Secret in another namespace: denied",
      "list Secrets in another namespace: denied",
      "list ZoomIntegrations in every namespace: denied",
      "get its CRD: allowed",
      "create a RoleBinding in another namespace: denied",
    ]);
    await expectEscalationsRefused(a.name, user);
  });

  it("reconciles a tenant to Ready with only that RBAC", async () => {
    operator = await startOperator({
      kubeconfigPath: await serviceAccountKubeconfig(nsOp.name, OPERATOR_NAME),
      identity: "sar-namespaced",
      env: { WATCH_NAMESPACES: a.name, POD_NAMESPACE: nsOp.name, RESYNC_SECONDS: "600" },
    });
    await createCredentials(clusterEnv().kc, a.name, "acme-creds");
    await ziApi(clusterEnv().kc).create(a.name, zoomIntegration("acme"));
    await eventually(
      async () => {
        const zi = await ziApi(clusterEnv().kc).get(a.name, "acme");
        expect(condition(zi, "Ready"), JSON.stringify(zi.status?.conditions)).toMatchObject({ status: "True" });
      },
      { timeout: 90_000 },
    );
    expect(operator.lines.filter((l) => /forbidden|"code":403/i.test(l))).toEqual([]);
  });
});

describe("a tenant's service account", () => {
  it("reaches only its own tokens Secret and state ConfigMap, by name, and cannot escalate", async () => {
    const own = tenantNames("acme");
    const other = tenantNames("beta");
    const user = sa(a.name, own.serviceAccount);
    expect(
      await review(user, [
        { what: "get its tokens Secret", attrs: secret("get", a.name, own.tokensSecret) },
        { what: "update its tokens Secret", attrs: secret("update", a.name, own.tokensSecret) },
        {
          what: "update its state ConfigMap",
          attrs: { verb: "update", resource: "configmaps", namespace: a.name, name: own.stateConfigMap },
        },
        { what: "create Events", attrs: { verb: "create", resource: "events", namespace: a.name } },
        { what: "list every Secret of its namespace", attrs: secret("list", a.name) },
        { what: "read its credentials Secret through the API (it is mounted)", attrs: secret("get", a.name, "acme-creds") },
        { what: "read its api-token Secret through the API (it is mounted)", attrs: secret("get", a.name, own.apiTokenSecret) },
        { what: "get another tenant's tokens Secret in its namespace", attrs: secret("get", a.name, other.tokensSecret) },
        { what: "get a tenant's tokens Secret in another namespace", attrs: secret("get", b.name, other.tokensSecret) },
        { what: "create a Secret", attrs: secret("create", a.name) },
        { what: "delete its tokens Secret", attrs: secret("delete", a.name, own.tokensSecret) },
        {
          what: "read its ZoomIntegration",
          attrs: { verb: "get", group: "bookingops.dev", resource: "zoomintegrations", namespace: a.name, name: "acme" },
        },
        { what: "read pods", attrs: { verb: "list", resource: "pods", namespace: a.name } },
        {
          what: "create a RoleBinding",
          attrs: { verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: a.name },
        },
        {
          what: "bind cluster-admin",
          attrs: { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles", name: "cluster-admin" },
        },
      ]),
    ).toEqual([
      "get its tokens Secret: allowed",
      "update its tokens Secret: allowed",
      "update its state ConfigMap: allowed",
      "create Events: allowed",
      "list every Secret of its namespace: denied",
      "read its credentials Secret through the API (it is mounted): denied",
      "read its api-token Secret through the API (it is mounted): denied",
      "get another tenant's tokens Secret in its namespace: denied",
      "get a tenant's tokens Secret in another namespace: denied",
      "create a Secret: denied",
      "delete its tokens Secret: denied",
      "read its ZoomIntegration: denied",
      "read pods: denied",
      "create a RoleBinding: denied",
      "bind cluster-admin: denied",
    ]);
    await expectEscalationsRefused(a.name, user);
  });
});

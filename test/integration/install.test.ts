// The install bundle against the real control plane: the API server accepts it (server-side dry run,
// then a real apply), Pod Security Admission admits the operator's pods and the service pods it
// creates in `restricted` namespaces, and the operator, authenticated as the bundle's ServiceAccount,
// works with nothing but the bundle's RBAC and is refused the rest.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, type CoreV1Event, KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_NAME } from "../../charts/install/install-chart.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { clusterEnv, kubectl, otherTestNamespacesGone, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

const OPERATOR_NAMESPACE = "zoom-integration-system";
const SERVICE_ACCOUNT = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_NAME}`;

let dir = "";
let installYaml = "";
let operatorKubeconfig = "";
let operator: OperatorProcess | undefined;
const tenants = useNamespace("install-tenant", () => operator?.lines.slice(-80).join("\n") ?? "");

const core = () => clusterEnv().kc.makeApiClient(CoreV1Api);
const apps = () => clusterEnv().kc.makeApiClient(AppsV1Api);
const asOperator = (args: readonly string[]) => kubectl(args, { kubeconfig: operatorKubeconfig });

/** Events saying a ReplicaSet could not create a pod (Pod Security Admission refusals show up here). */
async function failedCreates(namespace: string): Promise<string[]> {
  const events = await core().listNamespacedEvent({ namespace });
  return events.items.filter((e: CoreV1Event) => e.reason === "FailedCreate").map((e) => e.message ?? "");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zio-install-"));
  // The bundle exactly as `npm run synth` writes it.
  await promisify(execFile)(process.execPath, ["scripts/synth.ts", "--outdir", dir]);
  installYaml = await readFile(join(dir, "install.yaml"), "utf8");
  await kubectl(["label", "namespace", tenants.name, "pod-security.kubernetes.io/enforce=restricted"]);
});

/**
 * A kubeconfig holding a real token of the bundle's ServiceAccount (TokenRequest API): the operator
 * authenticates exactly as in its pod. NB: not userKubeConfig(): a certificate's CN is limited to 64
 * characters, and "system:serviceaccount:zoom-integration-system:zoom-integration-operator" has 71.
 */
async function serviceAccountKubeconfig(): Promise<string> {
  const token = await kubectl(["create", "token", OPERATOR_NAME, "-n", OPERATOR_NAMESPACE, "--duration=1h"]);
  if (token.code !== 0) throw new Error(`kubectl create token failed: ${token.stderr}`);
  const env = clusterEnv();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "zio", server: env.server, caData: (await readFile(join(env.dir, "ca.crt"))).toString("base64") }],
    users: [{ name: SERVICE_ACCOUNT, token: token.stdout.trim() }],
    contexts: [{ name: "zio", cluster: "zio", user: SERVICE_ACCOUNT }],
    currentContext: "zio",
  });
  const path = join(dir, "operator.kubeconfig");
  await writeFile(path, kc.exportConfig());
  return path;
}

afterAll(async () => {
  await operator?.stop();
  // Everything but the CRD: the other test files' ZoomIntegrations live on.
  const rest = parseAllDocuments(installYaml)
    .map((d) => d.toJSON())
    .filter((o) => o && o.kind !== "CustomResourceDefinition");
  await kubectl(["delete", "--ignore-not-found", "--wait=false", "-f", "-"], { input: rest.map((o) => `---\n${stringify(o)}`).join("") });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the install bundle", () => {
  it("passes a server-side dry-run apply, every object validated by the API server", async () => {
    // NB: a dry run creates nothing, so the namespaced objects need their namespace to exist already.
    const ns = await kubectl(["apply", "--server-side", "-f", "-"], {
      input: installYaml.split("\n---\n").find((d) => d.includes("kind: Namespace")),
    });
    expect(ns.code, ns.stderr).toBe(0);
    const res = await kubectl(["apply", "--server-side", "--dry-run=server", "-f", join(dir, "install.yaml")]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().split("\n")).toHaveLength(13);
    expect(res.stdout).toContain("(server dry run)");
  });

  it("applies for real, and Pod Security Admission admits the operator's pods in its restricted namespace", async () => {
    const res = await kubectl(["apply", "--server-side", "-f", join(dir, "install.yaml")]);
    expect(res.code, res.stderr).toBe(0);
    const labels = (await core().readNamespace({ name: OPERATOR_NAMESPACE })).metadata?.labels;
    expect(labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    await eventually(
      async () => {
        const pods = await core().listNamespacedPod({
          namespace: OPERATOR_NAMESPACE,
          labelSelector: "app.kubernetes.io/name=zoom-integration-operator",
        });
        expect(pods.items, (await failedCreates(OPERATOR_NAMESPACE)).join("\n")).toHaveLength(2);
        const deployment = await apps().readNamespacedDeployment({ name: OPERATOR_NAME, namespace: OPERATOR_NAMESPACE });
        expect(deployment.status?.availableReplicas).toBe(2);
      },
      { timeout: 60_000 },
    );
    expect(await failedCreates(OPERATOR_NAMESPACE)).toEqual([]);
  });

  it("sits in a namespace where admission is live: a pod without the restricted settings is refused", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "unrestricted", namespace: OPERATOR_NAMESPACE },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    };
    const res = await kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], { input: JSON.stringify(pod) });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/violates PodSecurity "restricted/);
  });
});

describe("the operator with only the bundle's RBAC", () => {
  beforeAll(async () => {
    operatorKubeconfig = await serviceAccountKubeconfig();
    const whoami = await asOperator(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    expect(whoami.stdout, whoami.stderr).toBe(SERVICE_ACCOUNT);
    // As the Deployment runs it: every namespace watched, the Lease in its own namespace.
    // NB: so it must not meet other files' namespaces while they terminate (writes there are 403).
    await otherTestNamespacesGone([tenants.name]);
    operator = await startOperator({
      kubeconfigPath: operatorKubeconfig,
      identity: "install-test",
      env: { POD_NAMESPACE: OPERATOR_NAMESPACE, RESYNC_SECONDS: "600" },
    });
  });

  it("makes a ZoomIntegration Ready, and its service pods are admitted in a restricted namespace", async () => {
    const { kc } = clusterEnv();
    await createCredentials(kc, tenants.name, "acme-creds");
    await ziApi(kc).create(tenants.name, zoomIntegration("acme", { service: { replicas: 2 } }));
    await eventually(
      async () => {
        const zi = await ziApi(kc).get(tenants.name, "acme");
        expect(condition(zi, "Ready"), JSON.stringify(zi.status?.conditions)).toMatchObject({ status: "True" });
      },
      { timeout: 90_000 },
    );
    const pods = await core().listNamespacedPod({ namespace: tenants.name, labelSelector: "app.kubernetes.io/instance=acme" });
    expect(pods.items.map((p) => p.metadata?.name?.startsWith(`${tenantNames("acme").deployment}-`))).toEqual([true, true]);
    expect(await failedCreates(tenants.name)).toEqual([]);
    const lease = await kubectl(["get", "lease", OPERATOR_NAME, "-n", OPERATOR_NAMESPACE, "-o", "jsonpath={.spec.holderIdentity}"]);
    expect(lease.stdout).toBe("install-test");
    expect(operator?.lines.filter((l) => /forbidden|"code":403/i.test(l))).toEqual([]);
  });

  it("is refused what it does not need", async () => {
    // The identity works (a positive control), so every refusal below is RBAC's.
    expect((await asOperator(["get", "zoomintegrations", "-n", tenants.name])).code).toBe(0);
    const refused: readonly (readonly string[])[] = [
      ["delete", "namespace", tenants.name, "--dry-run=server"],
      ["delete", "secret", "acme-creds", "-n", tenants.name, "--dry-run=server"],
      ["delete", "zoomintegration", "acme", "-n", tenants.name, "--dry-run=server"],
      ["get", "pods", "-n", tenants.name],
      ["get", "customresourcedefinitions"],
      ["get", "leases", "-n", "kube-system"],
      [
        "create",
        "clusterrolebinding",
        "steal",
        "--clusterrole=cluster-admin",
        `--serviceaccount=${OPERATOR_NAMESPACE}:${OPERATOR_NAME}`,
        "--dry-run=server",
      ],
    ];
    for (const args of refused) {
      const res = await asOperator(args);
      expect(res.code, args.join(" ")).not.toBe(0);
      expect(res.stderr, args.join(" ")).toMatch(/forbidden/i);
    }
  });
});

// A tenant for the service's integration tests, as the operator would leave it: a ZoomIntegration
// (the owner Events attach to), the chart's ServiceAccount, Role, RoleBinding, the empty tokens
// Secret and state ConfigMap (rendered by the real chart), the mounted Secret files in a temp
// directory, the service's env from the rendered Deployment, and a KubeConfig for the
// ServiceAccount, so the service runs with exactly the least-privilege RBAC the chart grants.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { Env, FileName } from "../../common/tenant/contract.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import type { TenantProps } from "../../charts/tenant/props.ts";
import { type KubeObject, renderTenant } from "../../charts/tenant/render.ts";
import { clusterEnv, kubectl, userKubeConfig } from "./cluster-env.ts";
import { ziApi, zoomIntegration } from "./tenant-fixtures.ts";

export interface ServiceTenantOptions {
  readonly namespace: string;
  /** Default "acme": the emulator's default seed registers app.acme.example's redirect URL. */
  readonly name?: string;
  readonly domain?: string;
  readonly zoomUrl: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly scopes?: readonly string[];
  readonly webhookSecretToken?: string;
  /** What the rendered workload (`objects`) gets: e.g. the pod runner's label, an Ingress class. */
  readonly workload?: Pick<TenantProps, "replicas" | "podLabels" | "ingress">;
}

export interface ServiceTenant {
  readonly name: string;
  readonly namespace: string;
  readonly tokensSecret: string;
  /** The ServiceAccount's KubeConfig and a file with it (for child processes). */
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly apiToken: string;
  readonly stateKey: string;
  readonly clientSecret: string;
  /** The container env of the rendered Deployment, with the mounts pointed at the temp directory. */
  env(podName: string, ports?: { publicPort: number; apiPort: number }): Record<string, string>;
}

/** What the chart rendered for the tenant, for tests that run it as pods (service-workload.ts). */
export interface RenderedServiceTenant extends ServiceTenant {
  /** Everything the chart renders; only the objects the service itself touches are applied here. */
  readonly objects: readonly KubeObject[];
  readonly clientId: string;
  readonly webhookSecretToken: string | undefined;
}

export async function prepareServiceTenant(o: ServiceTenantOptions): Promise<RenderedServiceTenant> {
  const name = o.name ?? "acme";
  const names = tenantNames(name);
  const apiToken = randomBytes(24).toString("base64url");
  const stateKey = randomBytes(32).toString("base64url");
  const clientSecret = o.clientSecret ?? "acme-secret";
  const zi = (await ziApi(clusterEnv().kc).create(
    o.namespace,
    zoomIntegration(name, { domain: o.domain ?? "acme.example", credentialsSecretRef: { name: `${name}-creds` } }),
  )) as { metadata: { uid: string } };
  const objects = renderTenant({
    name,
    namespace: o.namespace,
    owner: { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name, uid: zi.metadata.uid },
    domain: o.domain ?? "acme.example",
    credentialsSecret: { name: `${name}-creds` },
    ...(o.webhookSecretToken ? { webhookSecret: { name: `${name}-webhook` } } : {}),
    scopes: [...(o.scopes ?? ["meeting:read:admin", "meeting:write:admin", "user:read:admin"])],
    image: "zoom-integration:test",
    credentialsChecksum: "sha256:test",
    apiToken: { token: apiToken, stateKey },
    zoom: { oauthBaseUrl: o.zoomUrl, apiBaseUrl: o.zoomUrl },
    ...o.workload,
  });
  // NB: only what the service touches; no Deployment, so nothing but this test runs the service.
  const wanted = new Set([
    `ServiceAccount/${names.serviceAccount}`,
    `Role/${names.role}`,
    `RoleBinding/${names.roleBinding}`,
    `Secret/${names.tokensSecret}`,
    `ConfigMap/${names.stateConfigMap}`,
  ]);
  const items = objects.filter((x) => wanted.has(`${x.kind}/${x.metadata.name}`));
  const applied = await kubectl(["apply", "--server-side", "--field-manager=zoom-integration-operator", "-n", o.namespace, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items }),
  });
  if (applied.code !== 0) throw new Error(`applying the tenant failed: ${applied.stderr}`);
  const deployment = objects.find((x) => x.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
  };
  const renderedEnv = deployment.spec.template.spec.containers[0]!.env;

  const dir = await mkdtemp(join(tmpdir(), `zio-svc-${name}-`));
  await writeFiles(dir, { clientId: o.clientId ?? "acme-client", clientSecret, apiToken, stateKey, webhook: o.webhookSecretToken });
  const kc = await userKubeConfig(`system:serviceaccount:${o.namespace}:${names.serviceAccount}`, [
    "system:serviceaccounts",
    `system:serviceaccounts:${o.namespace}`,
  ]);
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeFile(kubeconfigPath, kc.exportConfig(), { mode: 0o600 });
  return {
    name,
    namespace: o.namespace,
    tokensSecret: names.tokensSecret,
    kc,
    kubeconfigPath,
    apiToken,
    stateKey,
    clientSecret,
    objects,
    clientId: o.clientId ?? "acme-client",
    webhookSecretToken: o.webhookSecretToken,
    env(podName, ports = { publicPort: 0, apiPort: 0 }) {
      const env: Record<string, string> = Object.fromEntries(
        renderedEnv.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]),
      );
      return {
        ...env,
        [Env.PodNamespace]: o.namespace,
        [Env.PodName]: podName,
        [Env.PublicPort]: String(ports.publicPort),
        [Env.ApiPort]: String(ports.apiPort),
        [Env.MetricsPort]: "0",
        [Env.CredentialsDir]: join(dir, "credentials"),
        [Env.ApiTokenDir]: join(dir, "api"),
        ...(o.webhookSecretToken ? { [Env.WebhookSecretFile]: join(dir, "webhook", FileName.WebhookSecretToken) } : {}),
        BIND_ADDRESS: "127.0.0.1",
      };
    },
  };
}

async function writeFiles(
  dir: string,
  v: { clientId: string; clientSecret: string; apiToken: string; stateKey: string; webhook: string | undefined },
) {
  for (const sub of ["credentials", "api", "webhook"]) await mkdir(join(dir, sub));
  await writeFile(join(dir, "credentials", FileName.ClientId), v.clientId);
  await writeFile(join(dir, "credentials", FileName.ClientSecret), `${v.clientSecret}\n`);
  await writeFile(join(dir, "api", FileName.ApiToken), v.apiToken);
  await writeFile(join(dir, "api", FileName.StateKey), v.stateKey);
  if (v.webhook) await writeFile(join(dir, "webhook", FileName.WebhookSecretToken), v.webhook);
}

// Rotating the state key declaratively, against the real control plane and the Zoom emulator: a new
// value of the rotate-state-key annotation gives the service a new state key and keeps the old one
// for unsealing, so consent flows started before the rotation still complete; the API token is not
// touched. The service runs in-process as the tenant's ServiceAccount, with the env of the live
// Deployment and the api-token Secret's keys written as files under the paths its volume names.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROTATE_API_TOKEN_ANNOTATION, ROTATE_STATE_KEY_ANNOTATION, STATE_KEY_OVERLAP_SECONDS } from "../../common/api/constants.ts";
import { Env, FileName } from "../../common/tenant/contract.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { stateKeyId } from "../../service/oauth/sealed.ts";
import { clusterEnv, useNamespace, userKubeConfig } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { type RunningService, SecretCollector, startBrowserFlow, startServiceInProcess, visit } from "../support/service-harness.ts";
import type { ServiceTenant } from "../support/service-tenant.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

let operator: OperatorProcess | undefined;
let zoom: ZoomEmulator | undefined;
let svc: RunningService | undefined;
let dir = "";
const ns = useNamespace("statekey", () => [...(operator?.lines.slice(-40) ?? []), ...(svc?.lines.slice(-40) ?? [])].join("\n"));
const names = tenantNames("acme");
const landing = "https://app.acme.example/organization/integration/zoom";
const secrets = new SecretCollector();
const core = () => clusterEnv().kc.makeApiClient(CoreV1Api);
const decode = (s: V1Secret, key: string) => Buffer.from(s.data?.[key] ?? "", "base64").toString("utf8");
const apiTokenSecret = () => core().readNamespacedSecret({ name: names.apiTokenSecret, namespace: ns.name });
const annotate = (key: string, value: string) =>
  ziApi(clusterEnv().kc).patch(ns.name, "acme", { metadata: { annotations: { [key]: value } } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zio-statekey-"));
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "statekey",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600" },
  });
  await createCredentials(clusterEnv().kc, ns.name, "acme-creds", "acme-client", "acme-secret");
  const zoomUrls = { oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url };
  await ziApi(clusterEnv().kc).create(ns.name, zoomIntegration("acme", { domain: "acme.example", zoom: zoomUrls }));
});
afterAll(async () => {
  await svc?.close();
  await operator?.stop();
  await zoom?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function liveDeployment(): Promise<V1Deployment> {
  return clusterEnv().kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: names.deployment, namespace: ns.name });
}

/** Writes the Secret's keys as the live Deployment's api-token volume projects them (what kubelet does). */
async function projectAsMounted(secret: V1Secret): Promise<void> {
  const volume = (await liveDeployment()).spec?.template.spec?.volumes?.find((v) => v.secret?.secretName === names.apiTokenSecret);
  expect(volume?.secret?.items?.map((i) => i.path)).toContain(FileName.PreviousStateKey);
  for (const item of volume?.secret?.items ?? []) await writeFile(join(dir, "api", item.path), decode(secret, item.key));
}

/** The service as the pod would run it: the Deployment's env, the tenant's ServiceAccount, the mounted files. */
async function startService(secret: V1Secret): Promise<RunningService> {
  for (const sub of ["api", "credentials"]) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, "credentials", FileName.ClientId), "acme-client");
  await writeFile(join(dir, "credentials", FileName.ClientSecret), "acme-secret");
  await projectAsMounted(secret);
  const container = (await liveDeployment()).spec?.template.spec?.containers[0];
  const renderedEnv = Object.fromEntries((container?.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
  const kc = await userKubeConfig(`system:serviceaccount:${ns.name}:${names.serviceAccount}`, [
    "system:serviceaccounts",
    `system:serviceaccounts:${ns.name}`,
  ]);
  const tenant: ServiceTenant = {
    name: "acme",
    namespace: ns.name,
    tokensSecret: names.tokensSecret,
    kc,
    kubeconfigPath: "",
    apiToken: decode(secret, FileName.ApiToken),
    stateKey: decode(secret, FileName.StateKey),
    clientSecret: "acme-secret",
    env: (podName) => ({
      ...renderedEnv,
      [Env.PodNamespace]: ns.name,
      [Env.PodName]: podName,
      [Env.PublicPort]: "0",
      [Env.ApiPort]: "0",
      [Env.CredentialsDir]: join(dir, "credentials"),
      [Env.ApiTokenDir]: join(dir, "api"),
      BIND_ADDRESS: "127.0.0.1",
    }),
  };
  return startServiceInProcess(tenant);
}

async function authorizationUrl(service: RunningService, token: string, org: string): Promise<string> {
  const res = await fetch(`${service.apiUrl}/v1/organizations/${org}/zoom/authorization`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: "{}",
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { authorizationUrl: string }).authorizationUrl;
}

/** The id of the state key that sealed a connect link's ticket (bytes 1..6 of a version-2 value). */
const sealedBy = (url: string) =>
  Buffer.from(new URL(url).searchParams.get("ticket") ?? "", "base64url")
    .subarray(1, 7)
    .toString("hex");
const idOf = (stateKey: string) => stateKeyId(stateKey).toString("hex");

describe("state key rotation", () => {
  it("completes consent flows started before the rotation, and leaves the API token alone", async () => {
    const first = await eventually(
      async () => {
        const s = await apiTokenSecret();
        expect(decode(s, FileName.StateKey)).not.toBe("");
        await liveDeployment();
        return s;
      },
      { timeout: 60_000 },
    );
    const [token, k1] = [decode(first, FileName.ApiToken), decode(first, FileName.StateKey)];
    expect([decode(first, FileName.PreviousStateKey), decode(first, FileName.PreviousStateKeyExpiresAt)]).toEqual(["", ""]);
    svc = await startService(first);
    const service = svc;
    secrets.add(token, k1);

    // Before the rotation: org-a's admin has consented at Zoom (the state is on its way back);
    // org-b's link was handed out but not opened yet. Both are sealed with the first key.
    const flowA = await startBrowserFlow(service, zoom!, token, "org-a");
    const linkB = await authorizationUrl(service, token, "org-b");
    expect(sealedBy(linkB)).toBe(idOf(k1));

    const before = Date.now();
    await annotate(ROTATE_STATE_KEY_ANNOTATION, "sk-2026-12-01");
    const rotated = await eventually(
      async () => {
        const s = await apiTokenSecret();
        expect(decode(s, FileName.StateKey)).not.toBe(k1);
        return s;
      },
      { timeout: 60_000 },
    );
    const k2 = decode(rotated, FileName.StateKey);
    secrets.add(k2);
    expect(decode(rotated, FileName.PreviousStateKey)).toBe(k1);
    const expiresAt = Date.parse(decode(rotated, FileName.PreviousStateKeyExpiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + STATE_KEY_OVERLAP_SECONDS * 1000 - 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + STATE_KEY_OVERLAP_SECONDS * 1000 + 5_000);
    expect(rotated.metadata?.annotations?.["bookingops.dev/state-key-rotation"]).toBe("sk-2026-12-01");
    // The API token is untouched: same token, no overlap started.
    expect([decode(rotated, FileName.ApiToken), decode(rotated, FileName.PreviousApiToken)]).toEqual([token, ""]);

    // The pod sees the new files; new links are sealed with the new key from then on.
    await projectAsMounted(rotated);
    await service.reloadSecrets();
    expect(sealedBy(await authorizationUrl(service, token, "org-c"))).toBe(idOf(k2));

    // org-a's state, sealed with the previous key, still completes.
    expect((await visit(service, flowA.redirect, flowA.cookie)).location).toBe(`${landing}?zoom=connected`);
    // org-b's link, sealed with the previous key, opens; the state it starts is sealed with the new one.
    const start = await visit(service, linkB);
    const zoomUrl = start.location;
    expect(new URL(zoomUrl).searchParams.get("state")).toBeTruthy();
    const cookie = start.setCookie.split(";")[0] ?? "";
    expect((await visit(service, zoom!.approve(zoomUrl, "admin@acme.example"), cookie)).location).toBe(`${landing}?zoom=connected`);

    // The operator reports both organizations Connected.
    await eventually(
      async () => {
        const zi = await ziApi(clusterEnv().kc).get(ns.name, "acme");
        expect(condition(zi, "Connected")?.status).toBe("True");
        const orgs = (zi.status?.connections as { organizationId: string; state: string }[] | undefined) ?? [];
        expect(orgs.map((c) => [c.organizationId, c.state]).sort()).toEqual([
          ["org-a", "Connected"],
          ["org-b", "Connected"],
        ]);
      },
      { timeout: 60_000 },
    );

    // One Event says so, without either key.
    const events = await eventually(async () => {
      const list = await core().listNamespacedEvent({ namespace: ns.name });
      const found = list.items.filter((e) => e.reason === "StateKeyRotated");
      expect(found).toHaveLength(1);
      return found;
    });
    expect(events[0]?.message).toContain("sk-2026-12-01");
    expect(secrets.leaks([JSON.stringify(events), ...service.lines, ...(operator?.lines ?? [])])).toEqual([]);

    // Rotating the API token now leaves the state key and its overlap as they are.
    await annotate(ROTATE_API_TOKEN_ANNOTATION, "api-2026-12-02");
    const afterToken = await eventually(
      async () => {
        const s = await apiTokenSecret();
        expect(decode(s, FileName.ApiToken)).not.toBe(token);
        return s;
      },
      { timeout: 60_000 },
    );
    expect(decode(afterToken, FileName.PreviousApiToken)).toBe(token);
    expect([decode(afterToken, FileName.StateKey), decode(afterToken, FileName.PreviousStateKey)]).toEqual([k2, k1]);
    expect(decode(afterToken, FileName.PreviousStateKeyExpiresAt)).toBe(decode(rotated, FileName.PreviousStateKeyExpiresAt));
  });
});

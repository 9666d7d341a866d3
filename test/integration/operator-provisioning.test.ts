// Issue 20 against the real control plane and the Zoom emulator: the manifest ConfigMap, provisioning
// of the tenant's Zoom app through the Marketplace API (create -> Ready -> an admin connects -> a
// domain change moves the app's redirect URI -> delete removes or keeps the app), an operator killed
// between "app created" and "credentials stored", refused Marketplace scopes, a deactivated S2S app,
// and Zoom's verdict on a wrong Client Secret.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNECTIONS_ANNOTATION, grantKey, summarize } from "../../common/tenant/token-secret.ts";
import { clusterEnv, kubectl, useNamespace, userKubeConfig } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { b64, condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";
import { obtainGrant } from "../support/zoom-grant.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

let zoom: ZoomEmulator;
let operator: OperatorProcess;
const secrets = ["acme-s2s-secret", "wrong-secret"];
const earlierLines: string[] = [];
const ns = useNamespace("provisioning", () => operator?.lines.slice(-60).join("\n") ?? "");
const kc = () => clusterEnv().kc;
const core = () => kc().makeApiClient(CoreV1Api);

const start = (identity: string) =>
  startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity,
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, REVOKE_TIMEOUT_SECONDS: "10" },
  });

beforeAll(async () => {
  zoom = await startZoomEmulator();
  operator = await start("provisioning-op");
});
afterAll(async () => {
  await operator?.stop();
  await zoom?.close();
});

async function s2sSecret(name: string, clientId = "acme-s2s-client", clientSecret = "acme-s2s-secret") {
  const data = { accountId: b64("acme-account"), clientId: b64(clientId), clientSecret: b64(clientSecret) };
  await core().createNamespacedSecret({ namespace: ns.name, body: { metadata: { name }, data } });
}

function provisioned(name: string, domain: string, extra: Record<string, unknown> = {}) {
  const body = zoomIntegration(name, {
    domain,
    zoom: { oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url },
    provisioning: { serverToServerSecretRef: { name: `${name}-s2s` }, contactEmail: "platform@acme.example" },
    ...extra,
  });
  delete (body.spec as Record<string, unknown>)["credentialsSecretRef"];
  return body;
}

const get = (name: string) => ziApi(kc()).get(ns.name, name);
const liveApps = (identity: string) => zoom.marketplace.apps().filter((a) => a.appName === identity && !a.deleted);
const identityOf = async (name: string) => `zio-${(await get(name)).metadata.uid}`;
const redirectOf = (manifest: Record<string, unknown>) =>
  (manifest["oauth_information"] as { production_redirect_uri: string }).production_redirect_uri;

async function appCredentials(name: string) {
  const secret = await core().readNamespacedSecret({ name: `${name}-zoom-app`, namespace: ns.name });
  const read = (k: string) => Buffer.from(secret.data?.[k] ?? "", "base64").toString("utf8");
  const creds = { clientId: read("clientId"), clientSecret: read("clientSecret"), secretToken: read("secretToken") };
  secrets.push(creds.clientSecret, creds.secretToken);
  return creds;
}

async function conditionIs(name: string, type: string, status: string, reason?: string, timeout = 60_000) {
  await eventually(
    async () => {
      const c = condition(await get(name), type);
      expect(c?.status, `${type}: ${c?.reason} ${c?.message}`).toBe(status);
      if (reason) expect(c?.reason).toBe(reason);
    },
    { timeout },
  );
}

async function gone(name: string) {
  await eventually(async () => expect(get(name)).rejects.toMatchObject({ code: 404 }), { timeout: 45_000 });
}

describe("provisioning the tenant's Zoom app", () => {
  it("creates the app, goes Ready, lets an admin connect, follows a domain change and deletes the app (Revoke)", async () => {
    await s2sSecret("prov-s2s");
    await ziApi(kc()).create(ns.name, provisioned("prov", "acme.example"));
    await conditionIs("prov", "AppProvisioned", "True", "AppInSync");
    await conditionIs("prov", "CredentialsValid", "True", "ZoomAcceptedCredentials");
    await conditionIs("prov", "Ready", "True");
    const identity = await identityOf("prov");
    const [app] = liveApps(identity);
    expect(liveApps(identity)).toHaveLength(1);
    const status = (await get("prov")).status as Record<string, unknown>;
    expect(status["zoomAppId"]).toBe(app!.appId);
    expect(status["appSecretName"]).toBe("prov-zoom-app");
    expect(status["manifestConfigMapName"]).toBe("prov-zoom-manifest");

    // An admin of the account consents to the provisioned app with the credentials the operator stored.
    const creds = await appCredentials("prov");
    expect(creds.clientId).toBe(app!.clientId);
    const grant = await obtainGrant(zoom, {
      ...creds,
      login: "admin@acme.example",
      organizationId: "org-prov",
      redirectUri: "https://app.acme.example/organization/integration/zoom/redirect",
    });
    secrets.push(grant.accessToken, grant.refreshToken);
    const grantId = zoom.inspect().grants.at(-1)!.id;
    const tokens = await core().readNamespacedSecret({ name: "prov-zoom-tokens", namespace: ns.name });
    tokens.data = { ...tokens.data, [grantKey(grant.organizationId)]: b64(JSON.stringify(grant)) };
    tokens.metadata!.annotations = { ...tokens.metadata!.annotations, [CONNECTIONS_ANNOTATION]: JSON.stringify([summarize(grant)]) };
    await core().replaceNamespacedSecret({ name: "prov-zoom-tokens", namespace: ns.name, body: tokens });
    await conditionIs("prov", "Connected", "True");

    await ziApi(kc()).patch(ns.name, "prov", { spec: { domain: "acme2.example" } });
    await eventually(async () =>
      expect(redirectOf(liveApps(identity)[0]!.manifest)).toBe("https://app.acme2.example/organization/integration/zoom/redirect"),
    );
    expect(zoom.installFromMarketplace(creds.clientId, "admin@acme.example")).toMatch(/^https:\/\/app\.acme2\.example\//);
    const cm = await core().readNamespacedConfigMap({ name: "prov-zoom-manifest", namespace: ns.name });
    expect(redirectOf(JSON.parse(cm.data?.["manifest.json"] ?? "{}"))).toBe(
      "https://app.acme2.example/organization/integration/zoom/redirect",
    );
    expect(liveApps(identity)).toHaveLength(1); // updated in place, never replaced

    await ziApi(kc()).delete(ns.name, "prov");
    await gone("prov");
    expect(liveApps(identity)).toHaveLength(0);
    expect(zoom.inspect().grants.find((g) => g.id === grantId)?.ended).toBeDefined();
  });

  it("keeps the app and its Secret when deletionPolicy is Retain, and a re-created ZoomIntegration adopts it", async () => {
    await s2sSecret("keep-s2s");
    await ziApi(kc()).create(ns.name, provisioned("keep", "keep.example", { deletionPolicy: "Retain" }));
    await conditionIs("keep", "AppProvisioned", "True");
    const identity = await identityOf("keep");
    const appId = liveApps(identity)[0]?.appId;
    await ziApi(kc()).delete(ns.name, "keep");
    await gone("keep");
    expect(liveApps(identity)).toHaveLength(1);
    const kept = await core().readNamespacedSecret({ name: "keep-zoom-app", namespace: ns.name });
    expect(kept.metadata?.ownerReferences ?? []).toEqual([]);
    const created = zoom.marketplace.apps().length;
    await ziApi(kc()).create(ns.name, provisioned("keep", "keep.example", { deletionPolicy: "Retain" }));
    await conditionIs("keep", "AppProvisioned", "True");
    expect((await get("keep")).status?.["zoomAppId" as never]).toBe(appId);
    expect(zoom.marketplace.apps()).toHaveLength(created);
    const adopted = await core().readNamespacedSecret({ name: "keep-zoom-app", namespace: ns.name });
    expect(adopted.metadata?.ownerReferences?.[0]?.uid).toBe((await get("keep")).metadata.uid);
  });

  it("never leaves a second app when the operator dies between 'app created' and 'credentials stored'", async () => {
    await s2sSecret("crash-s2s");
    // The create is carried out at Zoom but its answer (the only copy of the secret) never arrives.
    zoom.faults.inject("POST /v2/marketplace/apps", { kind: "dropResponse" }, { times: 1 });
    const createsBefore = zoom.inspect().requestsPerRoute["POST /v2/marketplace/apps"] ?? 0;
    await ziApi(kc()).create(ns.name, provisioned("crash", "crash.example"));
    await eventually(async () => expect(zoom.inspect().requestsPerRoute["POST /v2/marketplace/apps"] ?? 0).toBeGreaterThan(createsBefore));
    await operator.kill();
    earlierLines.push(...operator.lines);
    const identity = await identityOf("crash");
    expect(zoom.marketplace.apps().filter((a) => a.appName === identity).length).toBeGreaterThanOrEqual(1);
    operator = await start("provisioning-op-2");
    await conditionIs("crash", "AppProvisioned", "True", "AppInSync");
    const live = liveApps(identity);
    expect(live).toHaveLength(1);
    expect((await appCredentials("crash")).clientId).toBe(live[0]!.clientId);
    const events = await core().listNamespacedEvent({ namespace: ns.name, fieldSelector: "involvedObject.name=crash" });
    expect(events.items.some((e) => e.reason === "ZoomAppDeleted" && e.message?.includes("interrupted create"))).toBe(true);
  });

  it("says which Marketplace scope the S2S app lacks, and that Zoom refused a deactivated S2S app", async () => {
    zoom.marketplace.addServerToServerApp({
      clientId: "ro-s2s",
      clientSecret: "ro-s2s-secret",
      accountId: "acme-account",
      scopes: ["marketplace:read:app"],
    });
    secrets.push("ro-s2s-secret");
    await s2sSecret("noscope-s2s", "ro-s2s", "ro-s2s-secret");
    await ziApi(kc()).create(ns.name, provisioned("noscope", "noscope.example"));
    await conditionIs("noscope", "AppProvisioned", "False", "MarketplaceScopesMissing");
    const ready = condition(await get("noscope"), "Ready");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toContain("marketplace:write:app");

    zoom.marketplace.addServerToServerApp({
      clientId: "old-s2s",
      clientSecret: "old-s2s-secret",
      accountId: "acme-account",
      scopes: ["marketplace:read:app", "marketplace:write:app"],
    });
    zoom.marketplace.setServerToServerActive("old-s2s", false);
    secrets.push("old-s2s-secret");
    await s2sSecret("revoked-s2s", "old-s2s", "old-s2s-secret");
    await ziApi(kc()).create(ns.name, provisioned("revoked", "revoked.example"));
    await conditionIs("revoked", "AppProvisioned", "False", "ServerToServerRejected");
    expect(condition(await get("revoked"), "AppProvisioned")?.message).toContain("revoked-s2s");
  });

  it("reports a wrong Client Secret as CredentialsValid=False (ZoomRejectedCredentials), and a corrected one as accepted", async () => {
    await createCredentials(kc(), ns.name, "wrong-creds", "acme-client", "wrong-secret");
    await ziApi(kc()).create(
      ns.name,
      zoomIntegration("wrong", { domain: "acme.example", zoom: { oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url } }),
    );
    await conditionIs("wrong", "CredentialsValid", "False", "ZoomRejectedCredentials");
    expect(condition(await get("wrong"), "Ready")?.reason).toBe("ZoomRejectedCredentials");
    const grantsBefore = zoom.inspect().grants.length;
    const secret = await core().readNamespacedSecret({ name: "wrong-creds", namespace: ns.name });
    secret.data = { ...secret.data, clientSecret: b64("acme-secret") };
    await core().replaceNamespacedSecret({ name: "wrong-creds", namespace: ns.name, body: secret });
    await conditionIs("wrong", "CredentialsValid", "True", "ZoomAcceptedCredentials");
    expect(zoom.inspect().grants.length).toBe(grantsBefore); // the check made no grant
  });

  it("lets a platform team read the manifest with the README's read-only Role, without any Secret access", async () => {
    // The README's example: get/list/watch on ConfigMaps in the tenant's namespace, nothing else.
    const role = await kubectl(["create", "role", "zoom-manifest-reader", "--verb=get,list,watch", "--resource=configmaps", "-n", ns.name]);
    expect(role.code, role.stderr).toBe(0);
    const bound = await kubectl([
      "create",
      "rolebinding",
      "platform-view",
      "--role=zoom-manifest-reader",
      "--user=platform-reader",
      "-n",
      ns.name,
    ]);
    expect(bound.code, bound.stderr).toBe(0);
    const user = await userKubeConfig("platform-reader");
    // NB: the API server's RBAC authorizer sees a new binding through its informer, a moment later.
    await eventually(async () => {
      const cm = await user.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: "wrong-zoom-manifest", namespace: ns.name });
      expect(JSON.parse(cm.data?.["manifest.json"] ?? "{}").oauth_information.usage).toBe("ACCOUNT_OPERATION");
    });
    await expect(user.makeApiClient(CoreV1Api).readNamespacedSecret({ name: "wrong-creds", namespace: ns.name })).rejects.toMatchObject({
      code: 403,
    });
  });

  it("never puts a client secret, Secret Token or S2S secret into logs, Events or status", async () => {
    const events = await core().listNamespacedEvent({ namespace: ns.name });
    const zis = await kubectl(["get", "zoomintegrations", "-n", ns.name, "-o", "json"]);
    const haystack = [earlierLines.join("\n"), operator.lines.join("\n"), JSON.stringify(events.items), zis.stdout].join("\n");
    expect(operator.lines.length).toBeGreaterThan(0);
    for (const secret of secrets.filter(Boolean)) {
      const at = haystack.indexOf(secret);
      expect(at, `a secret leaked: ...${haystack.slice(Math.max(0, at - 200), at + 40)}`).toBe(-1);
    }
  });
});

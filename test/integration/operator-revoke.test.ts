// Deleting a ZoomIntegration with deletionPolicy Revoke revokes its grants at Zoom (the emulator)
// before the finalizer is released; with Retain the grant stays; an unreachable Zoom delays the
// deletion only by the bounded revoke timeout.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNECTIONS_ANNOTATION, grantKey, summarize } from "../../common/tenant/token-secret.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";
import { obtainGrant } from "../support/zoom-grant.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

let zoom: ZoomEmulator;
const secrets: string[] = ["acme-secret"];
let operator: OperatorProcess;
const ns = useNamespace("revoke", () => operator?.lines.slice(-40).join("\n") ?? "");

beforeAll(async () => {
  zoom = await startZoomEmulator();
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "revoke-op",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, REVOKE_TIMEOUT_SECONDS: "4" },
  });
});
afterAll(async () => {
  await operator?.stop();
  await zoom?.close();
});

async function connectedTenant(name: string, spec: Record<string, unknown>): Promise<string> {
  const { kc } = clusterEnv();
  await createCredentials(kc, ns.name, `${name}-creds`, "acme-client", "acme-secret");
  await ziApi(kc).create(
    ns.name,
    zoomIntegration(name, { domain: "acme.example", zoom: { oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url }, ...spec }),
  );
  await eventually(async () => expect(condition(await ziApi(kc).get(ns.name, name), "Ready")?.status).toBe("True"), { timeout: 60_000 });
  const grant = await obtainGrant(zoom, {
    clientId: "acme-client",
    clientSecret: "acme-secret",
    login: "admin@acme.example",
    organizationId: `org-${name}`,
    redirectUri: "https://app.acme.example/organization/integration/zoom/redirect",
  });
  secrets.push(grant.accessToken, grant.refreshToken);
  // What the service stores after a consent (common/tenant/token-secret.ts is the shared contract).
  const core = kc.makeApiClient(CoreV1Api);
  const secret = await core.readNamespacedSecret({ name: `${name}-zoom-tokens`, namespace: ns.name });
  secret.data = { ...secret.data, [grantKey(grant.organizationId)]: Buffer.from(JSON.stringify(grant)).toString("base64") };
  secret.metadata!.annotations = { ...secret.metadata!.annotations, [CONNECTIONS_ANNOTATION]: JSON.stringify([summarize(grant)]) };
  await core.replaceNamespacedSecret({ name: `${name}-zoom-tokens`, namespace: ns.name, body: secret });
  await eventually(async () => expect(condition(await ziApi(kc).get(ns.name, name), "Connected")?.status).toBe("True"));
  return zoom.inspect().grants.at(-1)!.id;
}

const grantEnded = (id: string) => zoom.inspect().grants.find((g) => g.id === id)?.ended;

describe("deleting a ZoomIntegration", () => {
  it("revokes the Zoom grant before releasing the finalizer when deletionPolicy is Revoke", async () => {
    const id = await connectedTenant("rv", {});
    await ziApi(clusterEnv().kc).delete(ns.name, "rv");
    await eventually(async () => expect(ziApi(clusterEnv().kc).get(ns.name, "rv")).rejects.toMatchObject({ code: 404 }), {
      timeout: 30_000,
    });
    expect(grantEnded(id)).toBeDefined();
    expect(zoom.inspect().requestsPerRoute["POST /oauth/revoke"]).toBeGreaterThanOrEqual(1);
  });

  it("leaves the grant alone when deletionPolicy is Retain", async () => {
    const id = await connectedTenant("rt", { deletionPolicy: "Retain" });
    await ziApi(clusterEnv().kc).delete(ns.name, "rt");
    await eventually(async () => expect(ziApi(clusterEnv().kc).get(ns.name, "rt")).rejects.toMatchObject({ code: 404 }), {
      timeout: 30_000,
    });
    expect(grantEnded(id)).toBeUndefined();
  });

  it("gives up after the revoke timeout when Zoom does not answer, with a Warning Event, and still deletes", async () => {
    const id = await connectedTenant("down", {});
    zoom.faults.inject("POST /oauth/revoke", { kind: "status", status: 503 });
    const t0 = Date.now();
    await ziApi(clusterEnv().kc).delete(ns.name, "down");
    await eventually(async () => expect(ziApi(clusterEnv().kc).get(ns.name, "down")).rejects.toMatchObject({ code: 404 }), {
      timeout: 60_000,
    });
    console.log(`[measure] deletion with Zoom down finished after ${Date.now() - t0} ms (REVOKE_TIMEOUT_SECONDS=4)`);
    zoom.faults.clear();
    expect(grantEnded(id)).toBeUndefined();
    const events = await clusterEnv()
      .kc.makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: ns.name, fieldSelector: "involvedObject.name=down" });
    const warning = events.items.find((e) => e.reason === "RevokeFailed");
    expect(warning?.type).toBe("Warning");
    expect(warning?.message).toContain("revoke them in the Zoom Marketplace");
  });

  it("never puts a token or the client secret into the operator's logs, Events or status", async () => {
    const { kc } = clusterEnv();
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns.name });
    const zis = await ziApi(kc)
      .get(ns.name, "rv")
      .catch(() => undefined);
    const haystack = [operator.lines.join("\n"), JSON.stringify(events.items), JSON.stringify(zis ?? {})].join("\n");
    expect(operator.lines.length).toBeGreaterThan(0); // the scan looked at real output
    for (const secret of secrets) {
      const at = haystack.indexOf(secret);
      expect(at, `a secret leaked: ...${haystack.slice(Math.max(0, at - 300), at + 50)}`).toBe(-1);
    }
  });
});

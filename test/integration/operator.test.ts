// The operator against the real control plane: a ZoomIntegration becomes a running, routed,
// secured service, and stays that way through edits, rotations, hand edits and deletion.
import { AppsV1Api, CoreV1Api, NetworkingV1Api, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINALIZER } from "../../common/api/constants.ts";
import { CREDENTIALS_CHECKSUM_ANNOTATION } from "../../common/tenant/names.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { b64, condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

let operator: OperatorProcess;
const ns = useNamespace("op", () => operator?.lines.slice(-80).join("\n") ?? "");

beforeAll(async () => {
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "op-a",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600" },
  });
});
afterAll(async () => operator?.stop());

const api = () => clusterEnv().kc;
const zi = () => ziApi(api());
const readyTrue = async (name: string) => {
  const obj = await zi().get(ns.name, name);
  expect(condition(obj, "Ready"), JSON.stringify(obj.status?.conditions)).toMatchObject({ status: "True" });
  return obj;
};

describe("the operator", () => {
  it("turns a ZoomIntegration into owned children whose pods become Ready, then reports Ready", async () => {
    await createCredentials(api(), ns.name, "acme-creds");
    const t0 = Date.now();
    await zi().create(ns.name, zoomIntegration("acme"));
    const obj = await eventually(() => readyTrue("acme"), { timeout: 60_000 });
    console.log(`[measure] one ZoomIntegration Ready after ${Date.now() - t0} ms`);
    expect(obj.metadata.finalizers).toContain(FINALIZER);
    expect(obj.status).toMatchObject({
      redirectUrl: "https://app.acme.example/organization/integration/zoom/redirect",
      allowListUrl: "https://app.acme.example",
      requiredScopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"],
      webhookUrl: "https://app.acme.example/zoom-integration/webhook",
      webhookEventTypes: ["app_deauthorized", "meeting.created", "meeting.deleted", "meeting.ended", "meeting.started", "meeting.updated"],
      endpoint: `http://acme-zoom.${ns.name}.svc:8081`,
      apiTokenSecretName: "acme-zoom-api-token",
      observedGeneration: obj.metadata.generation,
    });
    expect(condition(obj, "Connected")).toMatchObject({ status: "False", reason: "AwaitingAuthorization" });
    const core = api().makeApiClient(CoreV1Api);
    const owned = [
      await core.readNamespacedServiceAccount({ name: "acme-zoom", namespace: ns.name }),
      await core.readNamespacedSecret({ name: "acme-zoom-tokens", namespace: ns.name }),
      await core.readNamespacedSecret({ name: "acme-zoom-api-token", namespace: ns.name }),
      await core.readNamespacedService({ name: "acme-zoom", namespace: ns.name }),
      await api().makeApiClient(NetworkingV1Api).readNamespacedIngress({ name: "acme-zoom", namespace: ns.name }),
      await api().makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: "acme-zoom", namespace: ns.name }),
      await api().makeApiClient(AppsV1Api).readNamespacedDeployment({ name: "acme-zoom", namespace: ns.name }),
    ];
    for (const child of owned) {
      expect(child.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "ZoomIntegration",
        name: "acme",
        uid: obj.metadata.uid,
        controller: true,
      });
    }
  });

  it("reports a missing credentials Secret and recovers through the watch as soon as it appears", async () => {
    await zi().create(ns.name, zoomIntegration("late"));
    await eventually(async () => {
      const obj = await zi().get(ns.name, "late");
      expect(condition(obj, "CredentialsValid")).toMatchObject({ status: "False", reason: "SecretNotFound" });
      expect(condition(obj, "Ready")).toMatchObject({ status: "False", reason: "SecretNotFound" });
    });
    await createCredentials(api(), ns.name, "late-creds");
    // RESYNC_SECONDS is 600: only the Secret watch can bring this back within the timeout.
    await eventually(() => readyTrue("late"), { timeout: 45_000 });
    await eventually(async () => {
      // Events follow the status write that made the transition
      const events = await api()
        .makeApiClient(CoreV1Api)
        .listNamespacedEvent({ namespace: ns.name, fieldSelector: "involvedObject.name=late" });
      const seen = events.items.map((e) => `${e.type}/${e.reason}`);
      expect(seen).toContain("Warning/SecretNotFound");
      expect(seen).toContain("Normal/Reconciled");
    });
  });

  it("names the missing key when the credentials Secret lacks one", async () => {
    await api()
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: ns.name,
        body: { metadata: { name: "nokey-creds" }, data: { clientId: b64("x") } },
      });
    await zi().create(ns.name, zoomIntegration("nokey"));
    await eventually(async () => {
      const c = condition(await zi().get(ns.name, "nokey"), "CredentialsValid");
      expect(c).toMatchObject({ status: "False", reason: "SecretKeyMissing" });
      expect(c?.message).toContain('"clientSecret"');
    });
  });

  it("rolls the pods when the client secret is rotated", async () => {
    const apps = api().makeApiClient(AppsV1Api);
    const checksum = (d: V1Deployment) => d.spec?.template.metadata?.annotations?.[CREDENTIALS_CHECKSUM_ANNOTATION];
    const before = checksum(await apps.readNamespacedDeployment({ name: "acme-zoom", namespace: ns.name }));
    await api()
      .makeApiClient(CoreV1Api)
      .replaceNamespacedSecret({
        name: "acme-creds",
        namespace: ns.name,
        body: { metadata: { name: "acme-creds" }, data: { clientId: b64("client-id-1"), clientSecret: b64("rotated-secret") } },
      });
    await eventually(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: "acme-zoom", namespace: ns.name });
        expect(checksum(d)).not.toBe(before);
        expect(d.status?.updatedReplicas).toBe(1);
        expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
      },
      { timeout: 45_000 },
    );
  });

  it("updates the children when the spec is edited", async () => {
    await zi().patch(ns.name, "acme", { spec: { service: { replicas: 3 }, routing: { ingress: { className: "nginx" } } } });
    await eventually(
      async () => {
        const d = await api().makeApiClient(AppsV1Api).readNamespacedDeployment({ name: "acme-zoom", namespace: ns.name });
        expect(d.spec?.replicas).toBe(3);
        const ing = await api().makeApiClient(NetworkingV1Api).readNamespacedIngress({ name: "acme-zoom", namespace: ns.name });
        expect(ing.spec?.ingressClassName).toBe("nginx");
        const obj = await readyTrue("acme");
        expect(obj.status?.observedGeneration).toBe(obj.metadata.generation);
      },
      { timeout: 45_000 },
    );
  });

  it("recreates a child deleted by hand and repairs one edited by hand", async () => {
    const core = api().makeApiClient(CoreV1Api);
    await eventually(() => core.readNamespacedService({ name: "acme-zoom", namespace: ns.name }));
    await core.deleteNamespacedService({ name: "acme-zoom", namespace: ns.name });
    const apps = api().makeApiClient(AppsV1Api);
    await eventually(async () => {
      // the controller-manager updates the Deployment too: retry our hand edit on a 409
      const d = await apps.readNamespacedDeployment({ name: "acme-zoom", namespace: ns.name });
      d.spec!.replicas = 7;
      await apps.replaceNamespacedDeployment({ name: "acme-zoom", namespace: ns.name, body: d });
    });
    await eventually(
      async () => {
        const svc = await core.readNamespacedService({ name: "acme-zoom", namespace: ns.name });
        expect(svc.spec?.ports?.map((p) => p.port).sort()).toEqual([8080, 8081]);
        const d = await apps.readNamespacedDeployment({ name: "acme-zoom", namespace: ns.name });
        expect(d.spec?.replicas).toBe(3);
      },
      { timeout: 45_000 },
    );
  });

  it("refuses with Ready=False a spec the API server accepts but the chart cannot render, without a crash loop", async () => {
    await createCredentials(api(), ns.name, "odd-creds");
    await zi().create(ns.name, zoomIntegration("odd", { routing: { ingress: { annotations: { "not a key!": "x" } } } }));
    await eventually(async () => {
      const c = condition(await zi().get(ns.name, "odd"), "Ready");
      expect(c).toMatchObject({ status: "False", reason: "SpecInvalid" });
      expect(c?.message).toContain("annotations");
    });
    expect(operator.lines.some((l) => l.includes('"level":"fatal"'))).toBe(false);
  });

  it("runs the finalizer on deletion and lets the garbage collector remove the children", async () => {
    await zi().delete(ns.name, "late");
    await eventually(
      async () => {
        await expect(zi().get(ns.name, "late")).rejects.toMatchObject({ code: 404 });
      },
      { timeout: 30_000 },
    );
    await eventually(
      async () => {
        const deps = await api().makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: ns.name });
        expect(deps.items.map((d) => d.metadata?.name)).not.toContain("late-zoom");
      },
      { timeout: 60_000 },
    );
  });
});

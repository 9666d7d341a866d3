// The whole product, end to end, with real processes: a platform team applies a Secret and a
// ZoomIntegration; the real operator renders and applies the tenant; kwok's pods run the real
// service (pod runner); the booking app uses the typed client against status.endpoint; the admin
// consents in a real Chromium through real Traefik, which routes app.<domain> by the operator's
// Ingress (this file; gateway-routing.e2e.test.ts: an HTTPRoute) with the tenant's TLS Secret;
// Zoom is the strict emulator. The scenarios run in order and build on each other's state.
import { AppsV1Api, CoreV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from "@kubernetes/client-node";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CREDENTIALS_CHECKSUM_ANNOTATION, INTEGRATION_LABEL, REDIRECT_PATH, tenantNames } from "../../common/tenant/names.ts";
import type { ZoomIntegrationClient } from "../../service/client/client.ts";
import { EXTERNAL_READINESS_LABEL, EXTERNAL_READINESS_VALUE } from "../cluster/kwok-stages.ts";
import { isAlive } from "../cluster/processes.ts";
import { clusterEnv, kubectl } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { condition, ziApi, type ZiLike } from "../support/tenant-fixtures.ts";
import { consentInBrowser } from "./support/admin-consent.ts";
import { bookingAppClient } from "./support/booking-app.ts";
import { TENANT, useE2eEnvironment } from "./support/e2e-environment.ts";
import { TLS_SECRET } from "./support/traefik-edge.ts";

const e2e = useE2eEnvironment("e2e");
const { kc } = clusterEnv();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const names = tenantNames(TENANT.name);
const ORG = "org-acme";
const CREDENTIALS_SECRET = "acme-zoom-oauth-client";
const ROTATED_SECRET = "acme-secret-rotated";
const APP_ORIGIN = `https://${TENANT.appHost}`;
const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

const ns = () => e2e.env.namespace;
const getZi = (): Promise<ZiLike> => ziApi(kc).get(ns(), TENANT.name);
const measure = (what: string, t0: number) => console.log(`[measure] ${what}: ${Date.now() - t0} ms`);

let bookingApp: ZoomIntegrationClient;
/** What must never show up in a log line or an Event. */
const secrets: string[] = [TENANT.clientSecret, ROTATED_SECRET];

/** The tenant's pods that are not being deleted. */
async function tenantPods(): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: ns(), labelSelector: `${INTEGRATION_LABEL}=${TENANT.name}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";

/** `count` ready pods, each with a live, ready service process on its own loopback IP. */
async function servicePodsRunning(count: number) {
  const pods = await tenantPods();
  expect(pods.filter(isReady)).toHaveLength(count);
  const procs = e2e.env.runner.processes();
  expect(procs.map((p) => p.pod).sort()).toEqual(pods.map((p) => p.metadata?.name).sort());
  for (const p of procs) {
    expect(p.pid !== undefined && isAlive(p.pid), `${p.pod} has a live process`).toBe(true);
    expect(p.ready, `${p.pod} answers its readiness probe`).toBe(true);
    expect(p.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
  }
  return { pods, procs };
}

async function integrationEvents() {
  const list = await core.listNamespacedEvent({ namespace: ns(), fieldSelector: `involvedObject.name=${TENANT.name}` });
  return list.items
    .filter((e) => e.involvedObject.kind === "ZoomIntegration")
    .map((e) => ({ type: e.type, reason: e.reason, message: e.message ?? "", component: e.source?.component ?? e.reportingComponent }));
}

const liveGrants = () => e2e.env.zoom.inspect().grants.filter((g) => g.clientId === TENANT.clientId && !g.ended);

describe("the Zoom integration, end to end", () => {
  it("1. A platform team applies a credentials Secret and a ZoomIntegration, and the ZoomIntegration becomes Ready with the service running as real processes behind its Service and Ingress", async () => {
    const { zoom, runner } = e2e.env;
    const manifests = [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: CREDENTIALS_SECRET },
        stringData: { clientId: TENANT.clientId, clientSecret: TENANT.clientSecret },
      },
      {
        apiVersion: "bookingops.dev/v1alpha1",
        kind: "ZoomIntegration",
        metadata: { name: TENANT.name },
        spec: {
          domain: TENANT.domain,
          credentialsSecretRef: { name: CREDENTIALS_SECRET },
          routing: { ingress: { className: "traefik", tlsSecretName: TLS_SECRET } },
          clients: { podSelector: { matchLabels: { app: "booking" } } },
          // NB: the label hands the pods' readiness to the pod runner (test/pod-runner/README.md).
          service: { replicas: 2, podLabels: { [EXTERNAL_READINESS_LABEL]: EXTERNAL_READINESS_VALUE } },
          zoom: { oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url },
        },
      },
    ];
    const t0 = Date.now();
    const applied = await kubectl(["apply", "-n", ns(), "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }),
    });
    expect(applied.code, applied.stderr).toBe(0);
    const waited = await kubectl(["wait", "--for=condition=Ready", `zoomintegration/${TENANT.name}`, "-n", ns(), "--timeout=150s"]);
    expect(waited.code, `kubectl wait: ${waited.stderr}`).toBe(0);
    measure("kubectl apply to Ready (2 real service processes answering /readyz)", t0);

    const zi = await getZi();
    for (const type of ["CredentialsValid", "ServiceAvailable", "Routed"]) expect(condition(zi, type)?.status, type).toBe("True");
    expect(condition(zi, "Connected")).toMatchObject({ status: "False", reason: "AwaitingAuthorization" });
    expect(zi.status).toMatchObject({
      observedGeneration: zi.metadata.generation,
      redirectUrl: `${APP_ORIGIN}${REDIRECT_PATH}`,
      allowListUrl: APP_ORIGIN,
      requiredScopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"],
      endpoint: `http://${names.service}.${ns()}.svc:8081`,
      apiTokenSecretName: names.apiTokenSecret,
    });

    // Ready came from real processes: one per pod on its IP, each answering its probe.
    const { procs } = await servicePodsRunning(2);
    expect(new Set(procs.map((p) => p.podIP)).size).toBe(2);
    for (const p of procs) expect((await fetch(`http://${p.podIP}:8081/readyz`)).status).toBe(200);
    const deployment = await apps.readNamespacedDeployment({ namespace: ns(), name: names.deployment });
    expect(deployment.status?.availableReplicas).toBe(2);
    expect(runner.processes().every((p) => p.container === "service")).toBe(true);

    // The Ingress: app.<domain>, TLS, only the service's two public paths, admitted by Traefik.
    const ingress = await kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ namespace: ns(), name: names.ingress });
    expect(ingress.spec?.ingressClassName).toBe("traefik");
    expect(ingress.spec?.tls).toEqual([{ hosts: [TENANT.appHost], secretName: TLS_SECRET }]);
    const backend = { service: { name: names.service, port: { number: 8080 } } };
    expect(ingress.spec?.rules).toEqual([
      {
        host: TENANT.appHost,
        http: {
          paths: [
            { path: REDIRECT_PATH, pathType: "Exact", backend },
            { path: "/zoom-integration/", pathType: "Prefix", backend },
          ],
        },
      },
    ]);
    expect(ingress.status?.loadBalancer?.ingress).toEqual([{ ip: "127.0.0.1" }]);
    expect(condition(zi, "Routed")).toMatchObject({ reason: "IngressAdmitted" });

    // The booking app, configured from the status alone, reaches the API through the Service.
    bookingApp = await bookingAppClient(kc, zi, e2e.env.dispatcher);
    const apiToken = await core.readNamespacedSecret({ namespace: ns(), name: names.apiTokenSecret });
    // NB: the previous-token keys are empty outside a rotation, and "" is found in every text.
    secrets.push(
      ...Object.values(apiToken.data ?? {})
        .map((v) => Buffer.from(v, "base64").toString("utf8"))
        .filter((v) => v !== ""),
    );
    expect((await bookingApp.getConnection(ORG)).state).toBe("NotConnected");
    expect(Object.keys(((await bookingApp.openApi()) as { paths: object }).paths)).toContain("/v1/meetings");
  });

  it("2. The organization's Zoom admin connects Zoom in a real browser: authorization URL, consent at Zoom, back on the booking app with ?zoom=connected, and the ZoomIntegration shows Connected=True", async () => {
    const { zoom } = e2e.env;
    await consentInBrowser({ env: e2e.env, bookingApp, organizationId: ORG, label: "connect" });

    const [grant, ...others] = liveGrants();
    expect(others).toEqual([]);
    expect(grant).toMatchObject({ accountId: "acme-account", scopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"] });
    // NB: one token was issued (the code exchange). Since issue 20 the operator also asks the token
    // endpoint about the credentials once, with a code that cannot exist: refused, no token, no grant.
    expect(zoom.inspect().tokenRequests.filter((r) => r.status === 200)).toHaveLength(1);
    const connection = await bookingApp.getConnection(ORG);
    expect(connection).toMatchObject({ state: "Connected", accountId: "acme-account", userId: grant?.userId });

    const zi = await eventually(
      async () => {
        const current = await getZi();
        expect(condition(current, "Connected")).toMatchObject({ status: "True", reason: "GrantActive" });
        return current;
      },
      { timeout: 30_000 },
    );
    expect(zi.status?.connections).toEqual([
      expect.objectContaining({ organizationId: ORG, accountId: "acme-account", state: "Connected" }),
    ]);
    expect(condition(zi, "Ready")?.status).toBe("True");
    await eventually(async () => {
      const reasons = (await integrationEvents()).map((e) => `${e.type} ${e.reason}`);
      expect(reasons).toContain("Normal ZoomConnected");
      expect(reasons).toContain("Normal GrantActive");
    });
  });

  it("3. The booking app creates a meeting (a retry makes no second one), reschedules it across a DST change and cancels it, and Zoom shows each step", async () => {
    const { zoom } = e2e.env;
    const booking = {
      organizationId: ORG,
      bookingId: "4711",
      topic: "Consultation with Ms. Example",
      startLocal: "2027-03-10T10:00:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
    };
    const created = await bookingApp.createMeeting(booking);
    expect(created).toMatchObject({
      topic: booking.topic,
      startLocal: "2027-03-10T10:00:00",
      startInstant: "2027-03-10T09:00:00Z",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
      hostEmail: TENANT.adminLogin,
      replayed: false,
    });
    // Zoom's int64 ids exceed 2^53: the id reached the booking app intact, as a string.
    expect(BigInt(created.id) > 2n ** 53n).toBe(true);
    const zoomMeeting = () => zoom.inspect().meetings.find((m) => m.id === created.id);
    expect(zoomMeeting()).toMatchObject({
      topic: booking.topic,
      startTime: "2027-03-10T09:00:00Z",
      timezone: "Europe/Berlin",
      duration: 30,
      deleted: false,
    });

    const retried = await bookingApp.createMeeting(booking);
    expect(retried).toMatchObject({ id: created.id, replayed: true });
    expect(zoom.inspect().meetings.filter((m) => !m.deleted)).toHaveLength(1);

    // Rescheduled to 10:00 local after Europe/Berlin moved to summer time (28 March 2027).
    const moved = await bookingApp.updateMeeting(created.id, {
      organizationId: ORG,
      startLocal: "2027-03-31T10:00:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 45,
    });
    expect(moved).toMatchObject({
      id: created.id,
      startLocal: "2027-03-31T10:00:00",
      startInstant: "2027-03-31T08:00:00Z",
      durationMinutes: 45,
    });
    expect(zoomMeeting()).toMatchObject({ startTime: "2027-03-31T08:00:00Z", duration: 45, deleted: false });
    expect(await bookingApp.getMeeting(ORG, created.id)).toMatchObject({
      id: created.id,
      startInstant: "2027-03-31T08:00:00Z",
      durationMinutes: 45,
    });

    await bookingApp.deleteMeeting(ORG, created.id);
    expect(zoomMeeting()?.deleted).toBe(true);
    await bookingApp.deleteMeeting(ORG, created.id); // already gone counts as success
    await expect(bookingApp.getMeeting(ORG, created.id)).rejects.toMatchObject({ status: 404 });
    expect(zoom.inspect().meetings.filter((m) => !m.deleted)).toHaveLength(0);
  });

  it("4. The client secret is regenerated at Zoom and rotated in the Secret: the pods roll to new processes with the new secret, and the connection keeps working", async () => {
    const { zoom, runner } = e2e.env;
    const before = await servicePodsRunning(2);
    const beforeUids = new Set(before.pods.map((p) => p.metadata?.uid));
    const beforePids = before.procs.map((p) => p.pid!);
    const checksum = async () =>
      (await apps.readNamespacedDeployment({ namespace: ns(), name: names.deployment })).spec?.template.metadata?.annotations?.[
        CREDENTIALS_CHECKSUM_ANNOTATION
      ];
    const checksumBefore = await checksum();

    const t0 = Date.now();
    zoom.regenerateClientSecret(TENANT.clientId, ROTATED_SECRET);
    await core.patchNamespacedSecret(
      { namespace: ns(), name: CREDENTIALS_SECRET, body: { stringData: { clientSecret: ROTATED_SECRET } } },
      MERGE_PATCH,
    );

    const after = await eventually(
      async () => {
        const running = await servicePodsRunning(2);
        for (const p of running.pods) expect(beforeUids.has(p.metadata?.uid), `${p.metadata?.name} is a new pod`).toBe(false);
        const d = await apps.readNamespacedDeployment({ namespace: ns(), name: names.deployment });
        expect(d.status).toMatchObject({
          observedGeneration: d.metadata?.generation,
          updatedReplicas: 2,
          availableReplicas: 2,
          replicas: 2,
        });
        return running;
      },
      { timeout: 120_000, interval: 500 },
    );
    measure("Secret rotated to both pods replaced by ready new processes", t0);
    expect(await checksum()).not.toBe(checksumBefore);
    for (const pid of beforePids) expect(isAlive(pid), `old process ${pid} stopped`).toBe(false);
    expect(after.procs.map((p) => p.pid).filter((pid) => beforePids.includes(pid!))).toEqual([]);
    expect(runner.processes()).toHaveLength(2);
    expect(condition(await getZi(), "Ready")?.status).toBe("True");

    // Expire the access tokens at Zoom: the next call must refresh, which only the new secret can do.
    const [grant] = liveGrants();
    const refreshesBefore = zoom.inspect().refreshCalls[grant!.id] ?? 0;
    zoom.clock.advance(61 * 60_000);
    const users = await bookingApp.listUsers({ organizationId: ORG });
    expect(users.users.map((u) => u.email)).toContain(TENANT.adminLogin);
    expect(zoom.inspect().refreshCalls[grant!.id]).toBe(refreshesBefore + 1);
    expect(zoom.inspect().reusedRefreshTokens).toEqual([]);
    expect(liveGrants().map((g) => g.id)).toEqual([grant!.id]);
    expect((await bookingApp.getConnection(ORG)).state).toBe("Connected");
    expect(condition(await getZi(), "Connected")?.status).toBe("True");
  });

  it("5. A Zoom admin revokes the grant at Zoom: the API, the ZoomIntegration's status and Events say ReauthorizationRequired, and a new consent in the browser connects again", async () => {
    const { zoom, runner } = e2e.env;
    const [revoked] = liveGrants();
    zoom.revokeGrant(revoked!.id);

    const booking = {
      organizationId: ORG,
      bookingId: "4712",
      topic: "Follow-up",
      startLocal: "2027-04-07T10:00:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
    };
    await expect(bookingApp.createMeeting(booking)).rejects.toMatchObject({ code: "REAUTHORIZATION_REQUIRED" });
    expect(await bookingApp.getConnection(ORG)).toMatchObject({ state: "ReauthorizationRequired" });
    expect(zoom.inspect().meetings.filter((m) => !m.deleted)).toHaveLength(0);

    const zi = await eventually(
      async () => {
        const current = await getZi();
        expect(condition(current, "Connected")).toMatchObject({ status: "False", reason: "ReauthorizationRequired" });
        return current;
      },
      { timeout: 30_000 },
    );
    expect(condition(zi, "Connected")?.message).toContain(ORG);
    expect(zi.status?.connections).toEqual([expect.objectContaining({ organizationId: ORG, state: "ReauthorizationRequired" })]);
    expect(condition(zi, "Ready")?.status).toBe("True"); // the platform side is fine
    await eventually(async () => {
      const warnings = (await integrationEvents()).filter((e) => e.type === "Warning" && e.reason === "ReauthorizationRequired");
      expect(warnings.map((e) => e.component).sort()).toEqual(["zoom-integration-operator", "zoom-integration-service"].sort());
    });
    let reported = 0;
    for (const p of runner.processes()) {
      const text = await (await fetch(`http://${p.podIP}:8081/metrics`)).text();
      reported += Number(/^zio_service_reauthorization_required_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
    }
    expect(reported).toBe(1);

    // The admin connects again from the booking app: a new grant, Connected again.
    await consentInBrowser({ env: e2e.env, bookingApp, organizationId: ORG, label: "reconnect" });
    const [renewed, ...others] = liveGrants();
    expect(others).toEqual([]);
    expect(renewed?.id).not.toBe(revoked!.id);
    expect((await bookingApp.getConnection(ORG)).state).toBe("Connected");
    await eventually(async () => expect(condition(await getZi(), "Connected")?.status).toBe("True"), { timeout: 30_000 });
  });

  it("6. The ZoomIntegration is deleted: the grant is revoked at Zoom, and the children and the service processes are gone", async () => {
    const { zoom, runner } = e2e.env;
    const [grant] = liveGrants();
    const pids = runner.processes().map((p) => p.pid!);
    expect(pids).toHaveLength(2);

    const t0 = Date.now();
    const deleted = await kubectl(["delete", "zoomintegration", TENANT.name, "-n", ns(), "--timeout=60s"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    measure("kubectl delete zoomintegration (revoke at Zoom, finalizer released)", t0);
    await expect(getZi()).rejects.toMatchObject({ code: 404 });
    expect(zoom.inspect().grants.find((g) => g.id === grant!.id)?.ended).toBe("revoked");
    expect(zoom.inspect().requestsPerRoute["POST /oauth/revoke"]).toBe(1);
    expect((await integrationEvents()).map((e) => e.reason)).toContain("GrantsRevoked");

    // The garbage collector removes every child (owner references); the runner stops the processes.
    await eventually(
      async () => {
        const left = await kubectl([
          "get",
          "deployments,replicasets,pods,services,ingresses,networkpolicies,poddisruptionbudgets,serviceaccounts,roles,rolebindings,secrets,configmaps",
          "-n",
          ns(),
          "-l",
          `${INTEGRATION_LABEL}=${TENANT.name}`,
          "-o",
          "name",
        ]);
        expect(left.code, left.stderr).toBe(0);
        expect(left.stdout.trim()).toBe("");
        expect(runner.processes()).toEqual([]);
      },
      { timeout: 60_000, interval: 500 },
    );
    for (const name of [names.tokensSecret, names.apiTokenSecret]) {
      await expect(core.readNamespacedSecret({ namespace: ns(), name })).rejects.toMatchObject({ code: 404 });
    }
    for (const pid of pids) expect(isAlive(pid), `service process ${pid} stopped`).toBe(false);
    // The platform team's Secret is theirs: it stays.
    expect((await core.readNamespacedSecret({ namespace: ns(), name: CREDENTIALS_SECRET })).metadata?.name).toBe(CREDENTIALS_SECRET);
    measure("delete to every child and process gone", t0);
  });

  it("7. Along the way, no operator or service log line and no Event carried the client secret, the rotated one or the booking app's API token", async () => {
    const { runner, operator } = e2e.env;
    const dir = join(runner.workDir, "logs");
    const files = await readdir(dir);
    expect(files, "the logs of all four service pods (two, then two after the roll)").toHaveLength(4);
    const serviceLogs = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")));
    const events = await core.listNamespacedEvent({ namespace: ns() });
    const haystack = [operator.lines.join("\n"), ...serviceLogs, JSON.stringify(events.items)].join("\n");
    expect(serviceLogs.join("").length).toBeGreaterThan(1000); // the scan looked at real output
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) {
      const at = haystack.indexOf(secret);
      expect(at, `a secret leaked: ...${haystack.slice(Math.max(0, at - 200), at)}`).toBe(-1);
    }
  });
});

// The local sandbox behind `npm start`: a real control plane, the operator, the Zoom emulator, the
// pod runner (so the tenant's service runs as real processes), Traefik in front of app.<domain>, the
// example tenant, then a walk through connecting Zoom (through Traefik) and creating one meeting.
// Every step prints what it does.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../common/api/constants.ts";
import { createZoomIntegrationClient } from "../../service/client/client.ts";
import { startControlPlane, stopControlPlane, type ControlPlaneState } from "../cluster/control-plane.ts";
import { EXTERNAL_READINESS_LABEL, EXTERNAL_READINESS_VALUE } from "../cluster/kwok-stages.ts";
import { crdFiles } from "../cluster/paths.ts";
import { startWatchdog, stopWatchdog } from "../cluster/watchdog.ts";
import { startPodRunner, type PodRunner } from "../pod-runner/pod-runner.ts";
import { eventually } from "../support/eventually.ts";
import { startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { bookingAppPages } from "../e2e/support/booking-app.ts";
import { startTraefikEdge, TLS_SECRET, type TraefikEdge } from "../e2e/support/traefik-edge.ts";
import { connectWithoutBrowser } from "./connect.ts";
import { createServerToServerSecret, provisioningSpec, S2S_SECRET } from "./provisioning.ts";

export const TENANT = {
  namespace: "booking-acme",
  name: "acme",
  organization: "acme-org",
  admin: "admin@acme.example",
  appHost: "app.acme.example",
} as const;

export interface Sandbox {
  readonly kubeconfigPath: string;
  readonly binDir: string;
  readonly zoomUrl: string;
  readonly apiBase: string;
  readonly publicBase: string;
  /** https://app.<domain>:<Traefik's port>, served by Traefik on 127.0.0.1. */
  readonly appUrl: string;
  /** Traefik's loopback address and port, where app.<domain> must resolve to. */
  readonly edge: string;
  stop(): Promise<void>;
}

type Say = (step: string, message: string) => void;

interface Parts {
  plane?: ControlPlaneState;
  watchdog?: number;
  zoom?: ZoomEmulator;
  operator?: OperatorProcess;
  runner?: PodRunner;
  edge?: TraefikEdge;
}

async function stopParts(p: Parts, dir: string): Promise<void> {
  await p.edge?.close();
  await p.runner?.stop();
  await p.operator?.stop();
  await p.zoom?.close();
  if (p.plane) await stopControlPlane(p.plane);
  if (p.watchdog) stopWatchdog(p.watchdog);
  await rm(dir, { recursive: true, force: true });
}

async function applyTenant(kc: KubeConfig, zoomUrl: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const { namespace, name } = TENANT;
  await createServerToServerSecret(core, namespace);
  const spec = {
    domain: "acme.example",
    ...provisioningSpec,
    zoom: { oauthBaseUrl: zoomUrl, apiBaseUrl: zoomUrl },
    routing: { ingress: { className: "traefik", tlsSecretName: TLS_SECRET } },
    // NB: sandbox only: this label asks the pod runner (not kwok) to run the pods for real.
    service: { replicas: 1, podLabels: { [EXTERNAL_READINESS_LABEL]: EXTERNAL_READINESS_VALUE } },
  };
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: "ZoomIntegration", metadata: { name }, spec },
  });
}

async function conditionTrue(kc: KubeConfig, type: string, timeout: number): Promise<void> {
  await eventually(
    async () => {
      const zi = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace: TENANT.namespace,
        name: TENANT.name,
      })) as { status?: { conditions?: { type: string; status: string; message: string }[] } };
      const c = zi.status?.conditions?.find((x) => x.type === type);
      if (c?.status !== "True") throw new Error(`${type} is ${c?.status ?? "unknown"}: ${c?.message ?? "no status yet"}`);
    },
    { timeout, interval: 500 },
  );
}

async function apiToken(kc: KubeConfig): Promise<string> {
  const s = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: `${TENANT.name}-zoom-api-token`, namespace: TENANT.namespace });
  return Buffer.from(s.data?.["token"] ?? "", "base64").toString("utf8");
}

export async function startSandbox(props: { binDir: string; dir: string; say: Say }): Promise<Sandbox> {
  const { say } = props;
  const parts: Parts = {};
  try {
    await mkdir(props.dir, { recursive: true });
    parts.watchdog = startWatchdog(process.pid, props.dir);
    say("1/7", "starting a real Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)");
    parts.plane = await startControlPlane({
      binDir: props.binDir,
      dir: join(props.dir, "plane"),
      crdFiles: await crdFiles(),
      progress: (m) => say("1/7", m),
    });
    const kc = new KubeConfig();
    kc.loadFromFile(parts.plane.kubeconfigPath);
    say("2/7", "starting the Zoom emulator");
    parts.zoom = await startZoomEmulator();
    say("3/7", "starting the operator");
    parts.operator = await startOperator({
      kubeconfigPath: parts.plane.kubeconfigPath,
      identity: "sandbox",
      env: { LEADER_ELECT: "false", LOG_LEVEL: "info" },
    });
    say("4/7", "starting the pod runner (runs the service's pods as real processes on loopback pod IPs)");
    parts.runner = await startPodRunner({ kc, namespaces: [TENANT.namespace], workDir: join(props.dir, "pods") });
    say("4/7", "starting Traefik (Ingress and Gateway API providers) on 127.0.0.1, with the Gateway API CRDs");
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({
      body: { metadata: { name: TENANT.namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
    });
    await mkdir(join(props.dir, "traefik"), { recursive: true });
    parts.edge = await startTraefikEdge({
      kc,
      kubectl: { bin: parts.plane.kubectl, kubeconfigPath: parts.plane.kubeconfigPath },
      namespace: TENANT.namespace,
      dir: join(props.dir, "traefik"),
      host: TENANT.appHost,
      mode: "ingress",
      appHandler: bookingAppPages("/organization/integration/zoom"),
    });
    const appUrl = `https://${TENANT.appHost}:${parts.edge.port}`;
    say("4/7", `Traefik serves ${appUrl} (resolve ${TENANT.appHost} to ${parts.edge.address}; the certificate is self-signed)`);
    say(
      "5/7",
      `applying the example tenant: namespace ${TENANT.namespace}, Server-to-Server Secret ${S2S_SECRET}, ZoomIntegration ${TENANT.name} with provisioning: the operator creates the Zoom app from its manifest`,
    );
    await applyTenant(kc, parts.zoom.url);
    await conditionTrue(kc, "Ready", 120_000);
    const pod = parts.runner.processes().find((p) => p.ready);
    if (!pod) throw new Error("the service pod is Ready but the pod runner reports no ready process");
    const apiBase = `http://${pod.podIP}:8081`;
    const publicBase = `http://${pod.podIP}:8080`;
    say("5/7", `ZoomIntegration ${TENANT.name} is Ready; its service runs at ${apiBase} (API) and ${publicBase} (public)`);
    const client = createZoomIntegrationClient({ baseUrl: apiBase, token: await apiToken(kc) });
    say("6/7", `connecting Zoom for organization ${TENANT.organization} as ${TENANT.admin}`);
    const { authorizationUrl } = await client.startAuthorization(TENANT.organization);
    const edgeBase = `https://${parts.edge.address}:${parts.edge.port}`;
    const landing = await connectWithoutBrowser({ authorizationUrl, edgeBase, zoom: parts.zoom, login: TENANT.admin });
    say("6/7", `the admin's browser would land on ${landing}`);
    await conditionTrue(kc, "Connected", 60_000);
    say("6/7", "the ZoomIntegration reports Connected=True");
    say("7/7", "creating a meeting through the booking app's typed client");
    const meeting = await client.createMeeting({
      organizationId: TENANT.organization,
      bookingId: "sandbox-1",
      topic: "Sandbox consultation",
      startLocal: "2030-01-15T10:00:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
    });
    say("7/7", `meeting created: id ${meeting.id}, join URL ${meeting.joinUrl}`);
    return {
      kubeconfigPath: parts.plane.kubeconfigPath,
      binDir: props.binDir,
      zoomUrl: parts.zoom.url,
      apiBase,
      publicBase,
      appUrl,
      edge: `${parts.edge.address}:${parts.edge.port}`,
      stop: () => stopParts(parts, props.dir),
    };
  } catch (error) {
    await stopParts(parts, props.dir);
    throw error;
  }
}

// A tenant's service run as a cluster runs it, for tests about the real path in front of it: the
// chart's Deployment, Service and Ingress beside the Secrets they mount; the pod runner runs the
// real service for each kwok pod and reports its readiness; real Traefik (the e2e bed's edge)
// routes app.<domain> by the chart's Ingress to the Service, whose connections the kube-proxy
// stand-in sends to ready pods only. Zoom comes in through Traefik, the booking app through the
// Service's ClusterIP, as in a cluster.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { CoreV1Api } from "@kubernetes/client-node";
import { Agent, request } from "undici";
import { createLogger } from "../../common/logger.ts";
import { API_PORT, CREDENTIALS_CHECKSUM_ANNOTATION, tenantNames } from "../../common/tenant/names.ts";
import { TRAEFIK_CLASS } from "../cluster/traefik.ts";
import { startTraefikEdge, TLS_SECRET, type TraefikEdge } from "../e2e/support/traefik-edge.ts";
import { EXTERNAL_READINESS_LABEL, EXTERNAL_READINESS_VALUE } from "../cluster/kwok-stages.ts";
import { type ContainerCommand, SERVICE_RULE } from "../pod-runner/commands.ts";
import { type PodRunner, type RunningProcessInfo, startPodRunner } from "../pod-runner/pod-runner.ts";
import { clusterEnv, kubectl } from "./cluster-env.ts";
import { eventually } from "./eventually.ts";
import { podNodeOptions, type ServiceBuild } from "./service-build.ts";
import type { RenderedServiceTenant, ServiceTenantOptions } from "./service-tenant.ts";

/** What prepareServiceTenant needs for a tenant run as pods behind Traefik. */
export const workloadOptions = (replicas: number): ServiceTenantOptions["workload"] => ({
  replicas,
  podLabels: { [EXTERNAL_READINESS_LABEL]: EXTERNAL_READINESS_VALUE },
  ingress: { className: TRAEFIK_CLASS, tlsSecretName: TLS_SECRET },
});

export interface ServiceWorkload {
  readonly host: string;
  readonly edge: TraefikEdge;
  /** `http://<ClusterIP>:<api port>`: the booking app's way in. */
  readonly apiUrl: string;
  /** A request to app.<domain> through Traefik (TLS, Host header): Zoom's and the browser's way in. */
  viaEdge(
    path: string,
    init: { method: "GET" | "POST"; headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; body: string }>;
  /** A request to the Service's ClusterIP, one connection per request, as kube-proxy spreads connections. */
  viaService(
    path: string,
    init: { method: "GET" | "POST" | "DELETE"; headers?: Record<string, string> },
  ): Promise<{ status: number; body: string }>;
  /** The service processes of the tenant's pods now. */
  pods(): RunningProcessInfo[];
  /** Rewrites the credentials Secret and, as the operator does, puts its new checksum on the pod template: the pods roll. */
  rotateCredentials(): Promise<void>;
  /** Until the Deployment has rolled out (every replica updated, available, no old pod left). */
  rolledOut(timeoutMs?: number): Promise<void>;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

async function apply(namespace: string, items: readonly unknown[]): Promise<void> {
  const args = ["apply", "--server-side", "--force-conflicts", "--field-manager=zoom-integration-operator", "-n", namespace, "-f", "-"];
  const res = await kubectl(args, { input: JSON.stringify({ apiVersion: "v1", kind: "List", items }) });
  if (res.code !== 0) throw new Error(`applying the workload failed: ${res.stderr}`);
}

function renderedSpec<T>(tenant: RenderedServiceTenant, kind: string): T {
  const object = tenant.objects.find((o) => o.kind === kind);
  if (!object) throw new Error(`the chart rendered no ${kind}`);
  return object["spec"] as T;
}

const secret = (name: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "Secret", metadata: { name }, stringData: data });

/** The Secrets the Deployment mounts, and the chart's workload and routing objects. */
function workloadObjects(tenant: RenderedServiceTenant, rotation: number): unknown[] {
  const wanted = new Set(["Deployment", "Service", "Ingress", "PodDisruptionBudget"]);
  const names = tenantNames(tenant.name);
  const rendered = tenant.objects.filter((o) => wanted.has(o.kind) || (o.kind === "Secret" && o.metadata.name === names.apiTokenSecret));
  const creds = secret(`${tenant.name}-creds`, {
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    rotation: String(rotation),
  });
  const webhook = tenant.webhookSecretToken ? [secret(`${tenant.name}-webhook`, { secretToken: tenant.webhookSecretToken })] : [];
  return [creds, ...webhook, ...rendered];
}

export interface ServiceWorkloadOptions {
  /** Added to every pod's env (after the pod's own), e.g. SHUTDOWN_DELAY_SECONDS for the kubelet's preStop sleep. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run the build (service-build.ts) with a pod's heap limit instead of the TypeScript source. @default the source */
  readonly build?: ServiceBuild;
}

/** How the pod runner runs the tenant's container. */
function serviceCommand(o: ServiceWorkloadOptions): ContainerCommand {
  if (!o.build) return { ...SERVICE_RULE.run, env: { ...o.env } };
  const [command = "", ...args] = o.build.command;
  return { command, args, cwd: o.build.dir, env: { ...o.env, NODE_OPTIONS: podNodeOptions() } };
}

export async function startServiceWorkload(tenant: RenderedServiceTenant, o: ServiceWorkloadOptions = {}): Promise<ServiceWorkload> {
  const { kc, kubeconfigPath } = clusterEnv();
  const names = tenantNames(tenant.name);
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), "zio-svc-workload-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const runnerLog: string[] = [];
    const stream = new PassThrough().on("data", (chunk: Buffer) => runnerLog.push(...chunk.toString("utf8").trimEnd().split("\n")));
    const runner: PodRunner = await startPodRunner({
      kc,
      namespaces: [tenant.namespace],
      commandFor: (_pod, container) => (container.args?.join(" ") === SERVICE_RULE.args?.join(" ") ? serviceCommand(o) : undefined),
      log: createLogger({ level: "info", name: "pod-runner", destination: stream }),
      // NB: the pod's own terminationGracePeriodSeconds, so a drain is never cut short by the runner.
      maxGraceMs: 30_000,
    });
    closers.push(() => runner.stop());
    let rotation = 0;
    await apply(tenant.namespace, workloadObjects(tenant, rotation));
    const host = renderedSpec<{ rules: { host: string }[] }>(tenant, "Ingress").rules[0]!.host;
    const edge = await startTraefikEdge({
      kc,
      kubectl: { bin: clusterEnv().kubectl, kubeconfigPath },
      namespace: tenant.namespace,
      dir,
      host,
      mode: "ingress",
      appHandler: (_req, res) => res.writeHead(404).end("booking app"),
    });
    closers.push(() => edge.close());
    const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace: tenant.namespace, name: names.service });
    const apiUrl = `http://${svc.spec?.clusterIP}:${API_PORT}`;
    const edgeAgent = new Agent({ connect: { servername: host, rejectUnauthorized: false } });
    // NB: one request per connection: a kept-alive socket would stay pinned to one pod through the stand-in.
    const serviceAgent = new Agent({ pipelining: 0, keepAliveTimeout: 1 });
    closers.push(() => Promise.all([edgeAgent.close(), serviceAgent.close()]).then(() => undefined));
    const ownPods = () => runner.processes().filter((p) => p.namespace === tenant.namespace);
    const workload: ServiceWorkload = {
      host,
      edge,
      apiUrl,
      async viaEdge(path, init) {
        const res = await request(`https://${edge.address}:${edge.port}${path}`, {
          method: init.method,
          headers: { ...init.headers, host },
          body: init.body,
          dispatcher: edgeAgent,
        });
        return { status: res.statusCode, body: await res.body.text() };
      },
      async viaService(path, init) {
        const res = await request(`${apiUrl}${path}`, { method: init.method, headers: init.headers, dispatcher: serviceAgent });
        return { status: res.statusCode, body: await res.body.text() };
      },
      pods: ownPods,
      async rotateCredentials() {
        rotation++;
        await apply(tenant.namespace, workloadObjects(tenant, rotation).slice(0, 1));
        const checksum = `sha256:${createHash("sha256").update(`rotation ${rotation}`).digest("hex")}`;
        const patch = { spec: { template: { metadata: { annotations: { [CREDENTIALS_CHECKSUM_ANNOTATION]: checksum } } } } };
        const res = await kubectl([
          "patch",
          "deployment",
          names.deployment,
          "-n",
          tenant.namespace,
          "--type=merge",
          "-p",
          JSON.stringify(patch),
        ]);
        if (res.code !== 0) throw new Error(`patching the Deployment failed: ${res.stderr}`);
      },
      async rolledOut(timeoutMs = 120_000) {
        const res = await kubectl([
          "rollout",
          "status",
          `deployment/${names.deployment}`,
          "-n",
          tenant.namespace,
          `--timeout=${timeoutMs / 1000}s`,
        ]);
        if (res.code !== 0) throw new Error(`the Deployment did not roll out: ${res.stdout}${res.stderr}`);
        await eventually(
          async () => {
            const ready = ownPods().filter((p) => p.ready);
            const { replicas } = renderedSpec<{ replicas: number }>(tenant, "Deployment");
            if (ready.length !== replicas || ownPods().length !== replicas) throw new Error(`pods: ${JSON.stringify(ownPods())}`);
          },
          { timeout: timeoutMs },
        );
      },
      logs: async () => [`--- pod runner ---\n${runnerLog.slice(-30).join("\n")}`, `--- Traefik ---\n${await edge.log()}`].join("\n"),
      stop,
    };
    await workload.rolledOut();
    return workload;
  } catch (error) {
    await stop();
    throw error;
  }
}

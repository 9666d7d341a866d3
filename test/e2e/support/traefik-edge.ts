// The edge of app.<domain> in the e2e suite: real Traefik (test/cluster/traefik.ts) watching only the
// test's namespace, with the tenant's TLS Secret; the booking app's own pages behind a Service of
// their own, routed by Traefik too (an Ingress or an HTTPRoute, as the tenant's mode); the
// kube-proxy stand-in for the Services Traefik sends to. Nothing here routes by itself.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Agent, request } from "undici";
import { startServiceProxy } from "../../cluster/traefik-service-proxy.ts";
import { waitEstablished } from "../../cluster/crd-wait.ts";
import {
  gatewayApiCrdFiles,
  selfSignedTlsSecret,
  startTraefik,
  TRAEFIK_CLASS,
  type Traefik,
  traefikClasses,
  traefikDirFromEnv,
  traefikGateway,
} from "../../cluster/traefik.ts";
import { execFile } from "node:child_process";
import { eventually } from "../../support/eventually.ts";

export type RoutingMode = "ingress" | "gateway";
export const GATEWAY_NAME = "edge";
export const TLS_SECRET = "app-tls";
const APP_SERVICE = "booking-app";
const APP_PORT = 18080;

/** One request Traefik served, from its access log, without the query string (it carries codes). */
export interface EdgeRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Traefik's service for the request: the tenant's `<ns>-<name>-zoom-8080...` or the booking app's. */
  readonly service: string;
}

export interface TraefikEdge {
  readonly address: string;
  readonly port: number;
  requests(): Promise<EdgeRequest[]>;
  /** `namespace/service:port -> pod` per connection the kube-proxy stand-in forwarded. */
  readonly connections: readonly string[];
  log(): Promise<string>;
  close(): Promise<void>;
}

export interface TraefikEdgeProps {
  readonly kc: KubeConfig;
  readonly kubectl: Kubectl;
  readonly namespace: string;
  readonly dir: string;
  readonly host: string;
  readonly mode: RoutingMode;
  readonly appHandler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** The test bed's kubectl and kubeconfig (no vitest here: the sandbox uses this file too). */
export interface Kubectl {
  readonly bin: string;
  readonly kubeconfigPath: string;
}

function kubectl(k: Kubectl, args: readonly string[], input?: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(k.bin, [`--kubeconfig=${k.kubeconfigPath}`, ...args], (error, _stdout, stderr) =>
      resolve({ code: error ? 1 : 0, stderr }),
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(input ?? "");
  });
}

async function apply(k: Kubectl, namespace: string | undefined, items: unknown[]) {
  const args = ["apply", "--server-side", "--field-manager=zio-test-bed", ...(namespace ? ["-n", namespace] : []), "-f", "-"];
  const res = await kubectl(k, args, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
  if (res.code !== 0) throw new Error(`kubectl apply: ${res.stderr}`);
}

/** The Gateway API CRDs (once per plane) and the classes Traefik answers for. */
export async function installTraefikApis(k: Kubectl): Promise<void> {
  const files = await gatewayApiCrdFiles();
  const crds = await kubectl(k, ["apply", "--server-side", "--field-manager=zio-test-bed", ...files.flatMap((f) => ["-f", f])]);
  if (crds.code !== 0) throw new Error(`installing the Gateway API CRDs: ${crds.stderr}`);
  const crdNames = ["gatewayclasses", "gateways", "httproutes", "referencegrants"].map((p) => `crd/${p}.gateway.networking.k8s.io`);
  const established = await waitEstablished((args) => kubectl(k, args), crdNames);
  if (established.code !== 0) throw new Error(`the Gateway API CRDs are not established: ${established.stderr}`);
  await apply(k, undefined, traefikClasses());
}

function appRoute(mode: RoutingMode, host: string): Record<string, unknown> {
  const backend = { name: APP_SERVICE, port: APP_PORT };
  if (mode === "ingress") {
    return {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: APP_SERVICE },
      spec: {
        ingressClassName: TRAEFIK_CLASS,
        tls: [{ hosts: [host], secretName: TLS_SECRET }],
        rules: [
          {
            host,
            http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: APP_SERVICE, port: { number: APP_PORT } } } }] },
          },
        ],
      },
    };
  }
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: APP_SERVICE },
    spec: {
      parentRefs: [{ name: GATEWAY_NAME, sectionName: "https" }],
      hostnames: [host],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [backend] }],
    },
  };
}

/** The booking app's pages on the ClusterIP of a selector-less Service: Traefik sends there directly. */
async function startAppPages(k: Kubectl, kc: KubeConfig, namespace: string, handler: TraefikEdgeProps["appHandler"]): Promise<Server> {
  await apply(k, namespace, [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: APP_SERVICE },
      spec: { ports: [{ name: "http", port: APP_PORT, protocol: "TCP" }] },
    },
  ]);
  const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace, name: APP_SERVICE });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(APP_PORT, svc.spec?.clusterIP, resolve);
  });
  return server;
}

function parseAccessLog(text: string): EdgeRequest[] {
  return text
    .split("\n")
    .filter((l) => l.includes('"RequestPath"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map((e) => ({
      method: String(e["RequestMethod"]),
      path: String(e["RequestPath"]).split("?")[0] ?? "",
      status: Number(e["DownstreamStatus"]),
      service: String(e["ServiceName"] ?? ""),
    }));
}

export async function startTraefikEdge(props: TraefikEdgeProps): Promise<TraefikEdge> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const traefikDir = await traefikDirFromEnv();
    const k = props.kubectl;
    await installTraefikApis(k);
    await apply(k, props.namespace, [await selfSignedTlsSecret(props.dir, TLS_SECRET, props.host)]);
    const app = await startAppPages(k, props.kc, props.namespace, props.appHandler);
    closers.push(() => new Promise<void>((resolve) => app.close(() => resolve())));
    const proxy = await startServiceProxy(props.kc, [props.namespace]);
    closers.push(() => proxy.stop());
    const traefik: Traefik = await startTraefik({
      traefikDir,
      kubeconfigPath: k.kubeconfigPath,
      dir: props.dir,
      namespaces: [props.namespace],
    });
    closers.push(() => traefik.stop());
    if (props.mode === "gateway") {
      const gateway = traefikGateway({
        name: GATEWAY_NAME,
        namespace: props.namespace,
        port: traefik.port,
        hostname: props.host,
        tlsSecretName: TLS_SECRET,
      });
      await apply(k, props.namespace, [gateway]);
    }
    await apply(k, props.namespace, [appRoute(props.mode, props.host)]);
    await waitForAppPages(traefik, props.host);
    return {
      address: traefik.address,
      port: traefik.port,
      requests: async () => parseAccessLog(await traefik.log()),
      connections: proxy.connections,
      // NB: failure output without the access log's query strings.
      log: async () =>
        (await traefik.log())
          .split("\n")
          .filter((l) => !l.includes('"RequestPath"'))
          .slice(-40)
          .join("\n"),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Until Traefik routes app.<domain>/ to the booking app (the booking app answers 404 for /). */
async function waitForAppPages(traefik: Traefik, host: string): Promise<void> {
  const dispatcher = new Agent({ connect: { servername: host, rejectUnauthorized: false } });
  try {
    await eventually(
      async () => {
        const res = await request(`https://${traefik.address}:${traefik.port}/`, { headers: { host }, dispatcher });
        const body = await res.body.text();
        if (!body.includes("booking app")) {
          const problems = (await traefik.log()).split("\n").filter((l) => /"level":"(error|warn)"|"routers"/.test(l));
          throw new Error(
            `Traefik does not route ${host} to the booking app yet: ${res.statusCode} ${body}\n${problems.slice(-6).join("\n")}`,
          );
        }
      },
      { timeout: 60_000 },
    );
  } finally {
    await dispatcher.close();
  }
}

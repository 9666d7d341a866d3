// Traefik, the test bed's real ingress controller (built by build-traefik.sh): its Kubernetes
// Ingress provider (class "traefik") and its Gateway API provider (GatewayClass "traefik"), run
// against the test plane's API server with the admin kubeconfig, serving TLS on one loopback port.
// NB: every listener is on 127.0.0.1: a wildcard one would capture traffic meant for the kwok pods'
// loopback IPs. Traefik's api, dashboard, ping and metrics stay off (they would open another port).
// NB: the plane has no kube-proxy and EndpointSlices refuse loopback pod IPs, so Traefik sends to
// the Service's ClusterIP (nativeLB), where traefik-service-proxy.ts stands in for kube-proxy.
import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./ports.ts";
import { type Component, isAlive, startComponent, stopComponent } from "./processes.ts";

export const TRAEFIK_CLASS = "traefik";
export const TRAEFIK_INGRESS_CONTROLLER = "traefik.io/ingress-controller";
export const TRAEFIK_GATEWAY_CONTROLLER = "traefik.io/gateway-controller";
/** What Traefik publishes in Ingress and Gateway status. */
export const TRAEFIK_ADDRESS = "127.0.0.1";

export interface TraefikProps {
  /** build-traefik.sh's output directory (ZIO_TRAEFIK_DIR): traefik and gateway-api-crds.yaml. */
  readonly traefikDir: string;
  readonly kubeconfigPath: string;
  /** Where the static configuration and the log go. */
  readonly dir: string;
  /** @default every namespace */
  readonly namespaces?: readonly string[];
}

export interface Traefik {
  readonly address: string;
  /** The HTTPS entry point; a Gateway listener must use this port (Traefik maps listeners to entry points by port). */
  readonly port: number;
  readonly pid: number;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** build-traefik.sh's directory from ZIO_TRAEFIK_DIR, with a clear error when it is missing. */
export async function traefikDirFromEnv(): Promise<string> {
  const dir = process.env["ZIO_TRAEFIK_DIR"];
  const hint = "run the tests with `npm test`, or set ZIO_TRAEFIK_DIR=$(bash test/cluster/build-traefik.sh)";
  if (!dir) throw new Error(`ZIO_TRAEFIK_DIR is not set: ${hint}`);
  await access(join(dir, "traefik")).catch(() => {
    throw new Error(`ZIO_TRAEFIK_DIR=${dir} holds no traefik binary: ${hint}`);
  });
  return dir;
}

export const gatewayApiCrdsFile = (traefikDir: string) => join(traefikDir, "gateway-api-crds.yaml");

/**
 * Traefik's static configuration (JSON is YAML). `namespaces` limits what it watches (all when
 * empty): a test's Traefik must not pick up another test's routes for the same host.
 * NB: no kept-alive connections to backends, so each request is a new connection that the service
 * proxy spreads over the pods, as kube-proxy spreads connections.
 */
export function traefikConfig(port: number, namespaces: readonly string[] = []): Record<string, unknown> {
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    // NB: TLS on the entry point: an Ingress's tls section only hands Traefik certificates, it does not turn TLS on.
    entryPoints: { websecure: { address: `${TRAEFIK_ADDRESS}:${port}`, http: { tls: {} } } },
    serversTransport: { maxIdleConnsPerHost: -1 },
    providers: {
      kubernetesIngress: {
        ingressClass: TRAEFIK_CLASS,
        ingressEndpoint: { ip: TRAEFIK_ADDRESS },
        nativeLBByDefault: true,
        namespaces: [...namespaces],
      },
      kubernetesGateway: { statusAddress: { ip: TRAEFIK_ADDRESS }, nativeLBByDefault: true, namespaces: [...namespaces] },
    },
    log: { level: "INFO", format: "json" },
    accessLog: { format: "json", fields: { headers: { defaultMode: "drop" } } },
  };
}

export async function startTraefik(props: TraefikProps): Promise<Traefik> {
  const port = await freePort();
  const configFile = join(props.dir, "traefik.yaml");
  await writeFile(configFile, JSON.stringify(traefikConfig(port, props.namespaces), null, 2));
  const logFile = join(props.dir, "traefik.log");
  // NB: KUBECONFIG is how Traefik's Kubernetes providers take client-certificate credentials.
  const component: Component = startComponent({
    name: "traefik",
    bin: join(props.traefikDir, "traefik"),
    args: [`--configFile=${configFile}`],
    logFile,
    env: { PATH: process.env["PATH"] ?? "", HOME: props.dir, KUBECONFIG: props.kubeconfigPath },
  });
  const log = () => readFile(logFile, "utf8").catch(() => "");
  await waitListening(port, component, log);
  return { address: TRAEFIK_ADDRESS, port, pid: component.pid, log, stop: () => stopComponent(component.pid) };
}

async function waitListening(port: number, component: Component, log: () => Promise<string>): Promise<void> {
  const { connect } = await import("node:net");
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isAlive(component.pid)) throw new Error(`traefik exited at start:\n${(await log()).slice(-3000)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, TRAEFIK_ADDRESS, () => resolve(socket.end() !== undefined));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  await stopComponent(component.pid);
  throw new Error(`traefik did not listen on ${TRAEFIK_ADDRESS}:${port} within 30 s:\n${(await log()).slice(-3000)}`);
}

/** The IngressClass and GatewayClass Traefik answers for (cluster-scoped; applied idempotently). */
export function traefikClasses(): Record<string, unknown>[] {
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: { name: TRAEFIK_CLASS },
      spec: { controller: TRAEFIK_INGRESS_CONTROLLER },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: TRAEFIK_CLASS },
      spec: { controllerName: TRAEFIK_GATEWAY_CONTROLLER },
    },
  ];
}

/** A Gateway of class traefik with one HTTPS listener on Traefik's port, terminating TLS with `tlsSecretName`. */
export function traefikGateway(props: { name: string; namespace: string; port: number; hostname: string; tlsSecretName: string }) {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      gatewayClassName: TRAEFIK_CLASS,
      listeners: [
        {
          name: "https",
          protocol: "HTTPS",
          port: props.port,
          hostname: props.hostname,
          tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: props.tlsSecretName }] },
          allowedRoutes: { namespaces: { from: "Same" } },
        },
      ],
    },
  };
}

/**
 * The standard-channel Gateway API CRD files of the pinned sigs.k8s.io/gateway-api module (from
 * the Go module cache; a download at most, no Traefik build needed).
 */
export async function gatewayApiCrdFiles(): Promise<string[]> {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const { readdir } = await import("node:fs/promises");
  const { repoRoot } = await import("./paths.ts");
  const env = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
  const cwd = join(repoRoot, "test/cluster/go/traefik/module");
  const { stdout } = await promisify(execFile)("go", ["mod", "download", "-json", "sigs.k8s.io/gateway-api"], { cwd, env }).catch(
    (error: { stderr?: string }) => {
      throw new Error(`go mod download sigs.k8s.io/gateway-api failed (is Go on PATH, GOPROXY reachable?): ${error.stderr ?? error}`);
    },
  );
  const dir = join((JSON.parse(stdout) as { Dir: string }).Dir, "config/crd/standard");
  return (await readdir(dir))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
}

/** A kubernetes.io/tls Secret with a self-signed certificate for `host` (openssl). */
export async function selfSignedTlsSecret(dir: string, name: string, host: string): Promise<Record<string, unknown>> {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const subject = ["-subj", `/CN=${host}`, "-addext", `subjectAltName=DNS:${host}`];
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"];
  await promisify(execFile)("openssl", [...args, "-keyout", key, "-out", cert, ...subject]);
  const b64 = async (f: string) => (await readFile(f)).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name },
    type: "kubernetes.io/tls",
    data: { "tls.crt": await b64(cert), "tls.key": await b64(key) },
  };
}

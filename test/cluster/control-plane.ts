// Starts and stops a real Kubernetes control plane as local processes: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok (fake nodes whose pods get loopback IPs).
// See ../../README.md ("Development") and ../../../shared/CONTROL-PLANE.md.
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { createPki, issueClientCert, type Pki } from "./certs.ts";
import { probe, waitHealthy, type TlsClient } from "./health.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { waitEstablished } from "./crd-wait.ts";
import { freePort } from "./ports.ts";
import { startComponent, stopComponent, killComponent, isAlive, type Component } from "./processes.ts";
import { nodeManifests } from "./nodes.ts";
import { writeKwokStages } from "./kwok-stages.ts";

const run = promisify(execFile);

export interface ControlPlaneProps {
  /** Directory with the built binaries (test/cluster/build-binaries.sh prints it). */
  readonly binDir: string;
  /** Working directory for certificates, data and logs; removed by `stopControlPlane`. */
  readonly dir: string;
  /** CRD manifests applied before the controller-manager starts (its garbage collector reads discovery at start). */
  readonly crdFiles?: readonly string[];
  /** Fake nodes to create (default 2). */
  readonly nodes?: number;
  /**
   * Pod IP range handed out by kwok; loopback so a harness can serve a pod's IP. Default: a random
   * 127.x.0.0/16 (x in 16..239), so two planes on one machine never hand out the same pod IP.
   */
  readonly podCidr?: string;
  readonly progress?: (message: string) => void;
}

/** Everything needed to use or stop a running control plane; persisted as `<dir>/state.json`. */
export interface ControlPlaneState {
  readonly dir: string;
  readonly binDir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly kubectl: string;
  readonly components: readonly Component[];
  readonly startedAt: string;
  readonly startMs: number;
}

export const STATE_FILE = "state.json";

function randomPodCidr(): string {
  return `127.${16 + Math.floor(Math.random() * 224)}.0.0/16`;
}

interface Ports {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

async function allocatePorts(): Promise<Ports> {
  return {
    etcd: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
    kwok: await freePort(),
  };
}

function etcdArgs(dir: string, p: Ports): string[] {
  return [
    "--name=zio",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=http://127.0.0.1:${p.etcd}`,
    `--advertise-client-urls=http://127.0.0.1:${p.etcd}`,
    `--listen-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
    `--initial-cluster=zio=http://127.0.0.1:${p.etcdPeer}`,
    "--unsafe-no-fsync=true", // tests only: durability does not matter, speed does
    "--quota-backend-bytes=4294967296",
    "--log-level=warn",
  ];
}

function apiserverArgs(pki: Pki, p: Ports): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${p.etcd}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${p.apiserver}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    // NB: service ClusterIPs are only data here (nothing proxies them), but keep them on loopback
    // anyway so that no stray connection can ever leave the machine.
    "--service-cluster-ip-range=127.2.0.0/16",
    "--service-account-issuer=https://kubernetes.default.svc",
    `--service-account-key-file=${pki.saPublicKey}`,
    `--service-account-signing-key-file=${pki.saPrivateKey}`,
    "--authorization-mode=RBAC",
    "--allow-privileged=true",
    // No kubelet mounts tokens here; pods' service-account tokens come from the TokenRequest API.
    // NB: TaintNodesByCondition taints new nodes not-ready; only the node-lifecycle controller (not
    // run here: kwok owns node health) would lift it, so pods would never schedule.
    "--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
    "--enable-priority-and-fairness=false",
    "--profiling=false",
    // NB: watches end after 10-20 s instead of 30-60 min, so every test exercises the clients'
    // re-list/re-watch path (and the informer-restart test sees RBAC changes quickly).
    "--min-request-timeout=10",
  ];
}

function controllerManagerArgs(kubeconfig: string, pki: Pki, p: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--bind-address=127.0.0.1",
    `--secure-port=${p.controllerManager}`,
    `--root-ca-file=${pki.caCert}`,
    `--service-account-private-key-file=${pki.saPrivateKey}`,
    "--controllers=garbage-collector-controller,deployment-controller,replicaset-controller,namespace-controller,serviceaccount-controller,disruption-controller",
    "--concurrent-gc-syncs=10",
  ];
}

function schedulerArgs(kubeconfig: string, p: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--bind-address=127.0.0.1",
    `--secure-port=${p.scheduler}`,
  ];
}

function kwokArgs(kubeconfig: string, stagesFile: string, podCidr: string, p: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    "--manage-all-nodes=true",
    `--config=${stagesFile}`,
    `--cidr=${podCidr}`,
    "--node-ip=127.0.0.1",
    `--server-address=127.0.0.1:${p.kwok}`,
  ];
}

async function kubectl(state: Pick<ControlPlaneState, "kubectl" | "kubeconfigPath">, args: string[]): Promise<string> {
  const { stdout } = await run(state.kubectl, [`--kubeconfig=${state.kubeconfigPath}`, ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

async function installCrds(state: ControlPlaneState, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  await kubectl(state, ["apply", "--server-side", "--field-manager=zio-test-harness", ...files.flatMap((f) => ["-f", f])]);
  const established = await waitEstablished(
    (args) =>
      kubectl(state, args).then(
        () => ({ code: 0, stderr: "" }),
        (error: { stderr?: string; message?: string }) => ({ code: 1, stderr: error.stderr ?? error.message ?? "" }),
      ),
    files.flatMap((f) => ["-f", f]),
  );
  if (established.code !== 0) throw new Error(`the CRDs did not become Established: ${established.stderr}`);
}

async function saveState(state: ControlPlaneState): Promise<void> {
  await writeFile(join(state.dir, STATE_FILE), JSON.stringify(state, null, 2));
  // one process-group id a line, read by the watchdog (see watchdog.ts)
  await writeFile(join(state.dir, "pids"), state.components.map((c) => `${c.pid}\n`).join(""));
}

export async function loadState(dir: string): Promise<ControlPlaneState | undefined> {
  const text = await readFile(join(dir, STATE_FILE), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as ControlPlaneState);
}

/** Starts every component and returns once all are healthy (each waited for up to 90 s). */
export async function startControlPlane(props: ControlPlaneProps): Promise<ControlPlaneState> {
  const t0 = Date.now();
  const say = props.progress ?? (() => {});
  await mkdir(join(props.dir, "logs"), { recursive: true });
  const pki = await createPki(props.dir);
  const admin = await issueClientCert(pki.dir, "admin", ["system:masters"]);
  const p = await allocatePorts();
  const server = `https://127.0.0.1:${p.apiserver}`;
  const kubeconfigPath = join(props.dir, "kubeconfig");
  await writeKubeconfig(kubeconfigPath, { server, caCert: pki.caCert, client: admin, user: "admin" });
  const components: Component[] = [];
  let state: ControlPlaneState = {
    dir: props.dir,
    binDir: props.binDir,
    server,
    kubeconfigPath,
    kubectl: join(props.binDir, "kubectl"),
    components,
    startedAt: new Date().toISOString(),
    startMs: 0,
  };
  const start = async (name: string, args: string[], check: () => Promise<boolean>) => {
    say(`starting ${name}`);
    const c = startComponent({ name, bin: join(props.binDir, name), args, logFile: join(props.dir, "logs", `${name}.log`) });
    components.push(c);
    await saveState(state); // so `down` can clean up even if start-up fails half way
    await waitHealthy({ component: c, check, progress: say });
  };
  try {
    const tls: TlsClient = { ca: await readFile(pki.caCert), cert: await readFile(admin.cert), key: await readFile(admin.key) };
    const ok = async (url: string, t: TlsClient = {}) => (await probe(url, t)) === 200;
    await start("etcd", etcdArgs(props.dir, p), () => ok(`http://127.0.0.1:${p.etcd}/health`));
    await start("kube-apiserver", apiserverArgs(pki, p), () => ok(`${server}/readyz`, tls));
    await installCrds(state, props.crdFiles ?? []);
    const insecure = { insecure: true }; // our own component on loopback, self-signed serving cert
    await start("kube-controller-manager", controllerManagerArgs(kubeconfigPath, pki, p), () =>
      ok(`https://127.0.0.1:${p.controllerManager}/healthz`, insecure),
    );
    await start("kube-scheduler", schedulerArgs(kubeconfigPath, p), () => ok(`https://127.0.0.1:${p.scheduler}/healthz`, insecure));
    const stagesFile = await writeKwokStages(props.binDir, props.dir); // see kwok-stages.ts: pod-runner readiness
    await start("kwok", kwokArgs(kubeconfigPath, stagesFile, props.podCidr ?? randomPodCidr(), p), () =>
      ok(`http://127.0.0.1:${p.kwok}/healthz`),
    );
    await createNodes(state, props.nodes ?? 2);
    state = { ...state, startMs: Date.now() - t0 };
    await saveState(state);
    say(`control plane ready in ${(state.startMs / 1000).toFixed(1)} s at ${server}`);
    return state;
  } catch (error) {
    await stopControlPlane(state, { keepDir: true });
    throw error;
  }
}

async function createNodes(state: ControlPlaneState, count: number): Promise<void> {
  const file = join(state.dir, "nodes.yaml");
  await writeFile(file, nodeManifests(count));
  await kubectl(state, ["apply", "-f", file]);
  await kubectl(state, ["wait", "--for=condition=Ready", "--timeout=60s", "node", "--all"]);
}

/** Stops every component (reverse start order) and removes the working directory. */
export async function stopControlPlane(state: ControlPlaneState, options: { keepDir?: boolean } = {}): Promise<void> {
  for (const c of [...state.components].reverse()) await stopComponent(c.pid);
  if (!options.keepDir) await rm(state.dir, { recursive: true, force: true });
}

export function runningComponents(state: ControlPlaneState): Component[] {
  return state.components.filter((c) => isAlive(c.pid));
}

export interface RestartOptions {
  /** How long the component stays down before it starts again (default 0). */
  readonly downMs?: number;
  /** SIGKILL (a crash, the default) or SIGTERM (a graceful stop, as in an upgrade). */
  readonly graceful?: boolean;
}

/** Where a restarted component answers its health check (anonymous: the API server's /readyz is public). */
function healthUrl(state: ControlPlaneState, c: Component): string {
  if (c.name === "kube-apiserver") return `${state.server}/readyz`;
  const listen = c.args?.find((a) => a.startsWith("--listen-client-urls="));
  if (c.name === "etcd" && listen) return `${listen.slice(listen.indexOf("=") + 1)}/health`;
  throw new Error(`no health check known for ${c.name}`);
}

/**
 * Stops one component (etcd or kube-apiserver), keeps it down for `downMs`, starts it again with
 * the same arguments and waits until it is healthy; returns the state with its new pid (saved, so
 * the watchdog and `stopControlPlane` reach the new process). For chaos tests.
 */
export async function restartComponent(state: ControlPlaneState, name: string, options: RestartOptions = {}): Promise<ControlPlaneState> {
  const old = state.components.find((c) => c.name === name);
  if (!old?.bin || !old.args) throw new Error(`component ${name} is unknown or was started without its arguments`);
  if (options.graceful) await stopComponent(old.pid);
  else await killComponent(old.pid);
  if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
  const fresh = startComponent({ name, bin: old.bin, args: old.args, logFile: old.logFile });
  const next = { ...state, components: state.components.map((c) => (c.name === name ? fresh : c)) };
  await saveState(next);
  await waitHealthy({ component: fresh, check: async () => (await probe(healthUrl(next, fresh), { insecure: true })) === 200 });
  return next;
}

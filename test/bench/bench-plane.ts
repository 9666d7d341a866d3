// The benchmark's own control plane and the few raw calls it makes against it.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeHttpError, rawRequest } from "../../common/kube/raw-client.ts";
import { retry } from "../../common/retry.ts";
import { type ControlPlaneState, startControlPlane, stopControlPlane } from "../cluster/control-plane.ts";
import { crdFiles } from "../cluster/paths.ts";
import { startWatchdog, stopWatchdog } from "../cluster/watchdog.ts";
import { startIngressAdmitter } from "../support/ingress-admitter.ts";
import { startZoomStandIn, type ZoomStandIn } from "./zoom-stand-in.ts";

const run = promisify(execFile);

export interface BenchPlane {
  readonly state: ControlPlaneState;
  readonly kc: KubeConfig;
  /** The tenants' Zoom (zoom-stand-in.ts). */
  readonly zoom: ZoomStandIn;
  stop(): Promise<void>;
}

/** Pods one fake kwok node takes (test/cluster/nodes.ts). */
const PODS_PER_NODE = 250;

/**
 * Nodes for `pods` pods with room to spare. NB: the tenants' pods stay while the floor's are
 * scheduled, and edits roll pods with a surge: too few nodes leave the floor's pods Pending forever.
 */
export function nodesFor(pods: number): number {
  return Math.max(2, Math.ceil((pods * 1.2 + 20) / PODS_PER_NODE));
}

export async function startBenchPlane(pods: number, progress: (m: string) => void): Promise<BenchPlane> {
  const binDir = process.env["ZIO_CLUSTER_BIN"];
  if (!binDir)
    throw new Error("ZIO_CLUSTER_BIN is not set: run the benchmark with `npm run bench:operator`, which builds the control plane");
  const dir = await mkdtemp(join(tmpdir(), "zio-bench-"));
  // NB: a crashed benchmark must not leave a control plane running on a shared machine.
  const watchdog = startWatchdog(process.pid, dir);
  const nodes = nodesFor(pods);
  const state = await startControlPlane({ binDir, dir, nodes, crdFiles: await crdFiles(), progress: (m) => progress(`[cluster] ${m}`) });
  progress(`control plane up with ${nodes} fake nodes (room for ${nodes * PODS_PER_NODE} pods)`);
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfigPath);
  // NB: a tenant is Ready only once its Ingress is admitted (status.loadBalancer): the test bed's stand-in does it
  const admitter = await startIngressAdmitter(kc, (m) => progress(`[ingress-admitter] ${m}`));
  const zoom = await startZoomStandIn();
  return {
    state,
    kc,
    zoom,
    stop: async () => {
      await zoom.stop();
      await admitter.stop();
      await stopControlPlane(state);
      stopWatchdog(watchdog);
    },
  };
}

/** Under load the API server may answer 429 or 5xx, or drop a connection: those are tried again. */
function transient(error: unknown): boolean {
  if (error instanceof KubeHttpError) return error.code === 429 || error.code >= 500;
  return /ECONNRESET|UND_ERR|socket/i.test(String((error as Error)?.message ?? error));
}

/** POSTs `body` to `path`; an object that already exists (a retried create) counts as created. */
export async function create(kc: KubeConfig, path: string, body: unknown): Promise<void> {
  await retry(
    async () => {
      try {
        await rawRequest(kc, { method: "POST", path, body });
      } catch (error) {
        if (error instanceof KubeHttpError && error.code === 409) return;
        throw error;
      }
    },
    { attempts: 5, baseMs: 200, maxMs: 3000, retryable: transient },
  );
}

export function namespaceBody(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

/** Runs `task` over `count` indexes, `concurrency` at a time, calling `onDone` after each. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  onDone: (done: number) => void = () => {},
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Calls `report` at each tenth of `total` (for progress lines). */
export function tenths(total: number, report: (done: number) => void): (done: number) => void {
  const step = Math.max(1, Math.ceil(total / 10));
  return (done) => {
    if (done % step === 0 || done === total) report(done);
  };
}

/** kube-apiserver's own Prometheus text. */
export async function apiserverMetrics(plane: BenchPlane): Promise<string> {
  const { stdout } = await run(plane.state.kubectl, [`--kubeconfig=${plane.state.kubeconfigPath}`, "get", "--raw", "/metrics"], {
    maxBuffer: 256 << 20,
  });
  return stdout;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

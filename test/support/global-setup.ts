// Vitest global setup for the integration and e2e projects: one real control plane per test run.
// With ZIO_CLUSTER_DIR pointing at a plane started by `npm run cluster -- up`, that one is reused.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import { loadState, runningComponents, startControlPlane, stopControlPlane, type ControlPlaneState } from "../cluster/control-plane.ts";
import { crdFiles } from "../cluster/paths.ts";
import { startWatchdog, stopWatchdog } from "../cluster/watchdog.ts";
import type { ClusterInfo } from "./cluster-info.ts";
import { startIngressAdmitter } from "./ingress-admitter.ts";

// NB: both the integration and the e2e project list this file; share one plane between them.
let shared: Promise<{ state: ControlPlaneState; stop: () => Promise<void> }> | undefined;
let users = 0;

async function reuse(dir: string) {
  const state = await loadState(dir);
  if (!state || runningComponents(state).length !== state.components.length) {
    throw new Error(`ZIO_CLUSTER_DIR=${dir} has no running control plane; run 'npm run cluster -- up' first`);
  }
  return withAdmitter({ state, stop: async () => {} });
}

/** Class-less Ingresses get an address (see ingress-admitter.ts) for as long as the plane runs. */
async function withAdmitter(plane: { state: ControlPlaneState; stop: () => Promise<void> }) {
  const kc = new KubeConfig();
  kc.loadFromFile(plane.state.kubeconfigPath);
  const admitter = await startIngressAdmitter(kc, (m) => console.error(`[ingress-admitter] ${m}`));
  return {
    state: plane.state,
    stop: async () => {
      await admitter.stop();
      await plane.stop();
    },
  };
}

async function fresh() {
  const binDir = process.env["ZIO_CLUSTER_BIN"];
  if (!binDir) throw new Error("ZIO_CLUSTER_BIN is not set: run the tests with `npm test`, which builds the control plane");
  const dir = await mkdtemp(join(tmpdir(), "zio-plane-"));
  const watchdog = startWatchdog(process.pid, dir);
  const state = await startControlPlane({ binDir, dir, crdFiles: await crdFiles(), progress: (m) => console.error(`[cluster] ${m}`) });
  const stop = async () => {
    await stopControlPlane(state);
    stopWatchdog(watchdog);
  };
  return withAdmitter({ state, stop });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuseDir = process.env["ZIO_CLUSTER_DIR"];
  shared ??= reuseDir ? reuse(reuseDir) : fresh();
  users++;
  const { state } = await shared;
  const info: ClusterInfo = {
    kubeconfigPath: state.kubeconfigPath,
    kubectl: state.kubectl,
    server: state.server,
    dir: state.dir,
    binDir: state.binDir,
  };
  project.provide("cluster", info);
  return async () => {
    if (--users > 0 || !shared) return;
    const { stop } = await shared;
    shared = undefined;
    await stop();
  };
}

// Vitest global setup for the chaos project: a control plane of its own, never the shared one,
// because its tests kill and restart kube-apiserver and etcd. The tests find it through the same
// `cluster` context as the integration tier (test/support/cluster-env.ts).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import { startControlPlane, stopControlPlane, loadState } from "../../cluster/control-plane.ts";
import { crdFiles } from "../../cluster/paths.ts";
import { startWatchdog, stopWatchdog } from "../../cluster/watchdog.ts";
import type { ClusterInfo } from "../../support/cluster-info.ts";
import { startIngressAdmitter } from "../../support/ingress-admitter.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = process.env["ZIO_CLUSTER_BIN"];
  if (!binDir) throw new Error("ZIO_CLUSTER_BIN is not set: run the chaos tier with `npm test -- --project chaos`");
  const dir = await mkdtemp(join(tmpdir(), "zio-chaos-"));
  // NB: a crashed run must not leave a control plane behind; the watchdog reads <dir>/pids, which
  // restartComponent keeps current.
  const watchdog = startWatchdog(process.pid, dir);
  // NB: room for the 200 tenants of the full run (kwok pods are cheap; 250 per node).
  const state = await startControlPlane({
    binDir,
    dir,
    nodes: 2,
    crdFiles: await crdFiles(),
    progress: (m) => console.error(`[chaos plane] ${m}`),
  });
  // NB: Routed (and so Ready) needs an admitted Ingress: the same stand-in controller as the integration tier.
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfigPath);
  const admitter = await startIngressAdmitter(kc, (m) => console.error(`[ingress-admitter] ${m}`));
  const info: ClusterInfo = { kubeconfigPath: state.kubeconfigPath, kubectl: state.kubectl, server: state.server, dir, binDir };
  project.provide("cluster", info);
  return async () => {
    await admitter.stop();
    // the tests restarted components: stop the processes that run now
    await stopControlPlane((await loadState(dir)) ?? state);
    stopWatchdog(watchdog);
  };
}

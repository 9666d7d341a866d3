// npm start: the local sandbox. For now it starts the real control plane with the CRDs installed,
// prints how to use it and keeps running until Ctrl-C, then stops everything it started.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startControlPlane, stopControlPlane } from "../test/cluster/control-plane.ts";
import { crdFiles, repoRoot } from "../test/cluster/paths.ts";
import { startWatchdog } from "../test/cluster/watchdog.ts";

const HELP = `Usage: npm start [-- --exit-after-ready]

Starts a local sandbox: a real Kubernetes control plane (etcd, kube-apiserver,
kube-controller-manager, kube-scheduler, kwok) with the ZoomIntegration CRD installed.
Keeps running until Ctrl-C, then stops every process it started and removes its files.

Options:
  --exit-after-ready  stop again as soon as everything is up (a smoke check for CI)
  -h, --help          this help
`;

const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" }, "exit-after-ready": { type: "boolean" } } });
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const binDir = process.env["ZIO_CLUSTER_BIN"];
if (!binDir) throw new Error("ZIO_CLUSTER_BIN is not set: start the sandbox with `npm start`");
const dir = join(repoRoot, ".cluster", `sandbox-${process.pid}`);
const watchdog = startWatchdog(process.pid, dir);
const say = (m: string) => console.error(`[sandbox] ${m}`);
const state = await startControlPlane({ binDir, dir, crdFiles: await crdFiles(), progress: say });
say(`ready. In another shell:\n  export KUBECONFIG=${state.kubeconfigPath} PATH=${binDir}:$PATH\n  kubectl get nodes\n  kubectl explain zoomintegration.spec`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  say("stopping ...");
  await stopControlPlane(state);
  process.kill(watchdog, "SIGKILL");
  say("stopped; nothing is left running");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
if (values["exit-after-ready"]) await stop();
else setInterval(() => {}, 1 << 30);

// npm start: the local sandbox (see test/sandbox/sandbox.ts), or, with KUBECONFIG pointing at a
// real cluster, the operator against that cluster. Runs until Ctrl-C, then stops what it started.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../test/cluster/paths.ts";
import { startSandbox, TENANT } from "../test/sandbox/sandbox.ts";

const HELP = `Usage: npm start [-- options]

Without KUBECONFIG: a local sandbox on this machine, no cluster needed. It starts a real
Kubernetes control plane with the CRD, the operator, a Zoom emulator and a pod runner (the
tenant's service runs as real processes), applies an example tenant, connects Zoom as the
tenant's admin and creates one meeting, printing each step. Then it keeps running until
Ctrl-C and stops everything it started.

With KUBECONFIG set: runs the operator against that cluster instead (install the CRD first:
kubectl apply --server-side -f crds/), until Ctrl-C.

Options:
  --local          run the sandbox even when KUBECONFIG is set
  --exit-after-demo  stop after the meeting is created (a smoke check)
  -h, --help       this help
`;

const { values } = parseArgs({
  options: { help: { type: "boolean", short: "h" }, local: { type: "boolean" }, "exit-after-demo": { type: "boolean" } },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = async () => {
    if (stopping) return;
    stopping = true;
    console.error("[sandbox] stopping ...");
    await stop();
    console.error("[sandbox] stopped; nothing is left running");
    process.exit(0);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

if (process.env["KUBECONFIG"] && !values.local) {
  console.error(`[operator] KUBECONFIG is set: running the operator against ${process.env["KUBECONFIG"]} (use --local for the sandbox)`);
  const child = spawn(process.execPath, [join(repoRoot, "operator/main.ts")], { stdio: "inherit" });
  onStop(async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  });
  child.once("exit", (code) => process.exit(code ?? 1));
} else {
  const binDir = process.env["ZIO_CLUSTER_BIN"];
  if (!binDir) throw new Error("ZIO_CLUSTER_BIN is not set: start the sandbox with `npm start`");
  const t0 = Date.now();
  const say = (step: string, message: string) => console.error(`[sandbox ${step}] ${message}`);
  const sandbox = await startSandbox({ binDir, dir: join(repoRoot, ".cluster", `sandbox-${process.pid}`), say });
  onStop(sandbox.stop);
  console.error(`[sandbox] ready after ${((Date.now() - t0) / 1000).toFixed(0)} s. Look around in another shell:
  export KUBECONFIG=${sandbox.kubeconfigPath} PATH=${binDir}:$PATH
  kubectl get zoomintegrations -A
  kubectl describe zoomintegration ${TENANT.name} -n ${TENANT.namespace}
  kubectl get events -n ${TENANT.namespace}
  The service's API (bearer token in Secret ${TENANT.name}-zoom-api-token): ${sandbox.apiBase}/openapi.json
  The Zoom emulator: ${sandbox.zoomUrl}
Press Ctrl-C to stop.`);
  if (values["exit-after-demo"]) await sandbox.stop().then(() => process.exit(0));
  else setInterval(() => {}, 1 << 30);
}

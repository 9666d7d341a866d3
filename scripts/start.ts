// npm start: the local sandbox (see test/sandbox/sandbox.ts), or, with KUBECONFIG pointing at a
// real cluster, the operator against that cluster. Runs until Ctrl-C, then stops what it started.
import { spawn } from "node:child_process";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../operator/config.ts";
import { httpStatus } from "../operator/errors.ts";
import { repoRoot } from "../test/cluster/paths.ts";
import { startSandbox, TENANT } from "../test/sandbox/sandbox.ts";

const HELP = `Usage: npm start [-- options]

Without KUBECONFIG: a local sandbox on this machine, no cluster needed. It starts a real
Kubernetes control plane with the CRD, the operator, a Zoom emulator, a pod runner (the
tenant's service runs as real processes) and Traefik in front of https://app.acme.example on a
loopback port, applies an example tenant, connects Zoom (through Traefik) as the
tenant's admin and creates one meeting, printing each step. Then it keeps running until
Ctrl-C and stops everything it started.

With KUBECONFIG set: runs the operator against that cluster instead (install the CRD first:
kubectl apply --server-side -f crds/), until Ctrl-C. It creates the namespace of the
leader-election Lease (POD_NAMESPACE, default zoom-integration-system) when it is missing.

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

/**
 * Outside the cluster nothing has created the operator's namespace (the install bundle does): create
 * it for the Lease, or say what is missing. The operator itself warns too if it cannot take part.
 */
async function ensureLeaseNamespace(say: (message: string) => void): Promise<void> {
  let namespace: string;
  try {
    const config = loadConfig(process.env);
    if (!config.LEADER_ELECT) return;
    namespace = config.POD_NAMESPACE;
  } catch {
    return; // the operator lists every configuration problem itself
  }
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const api = kc.makeApiClient(CoreV1Api);
  const missing = await api.readNamespace({ name: namespace }).then(
    () => false,
    (error: unknown) => (httpStatus(error) === 404 ? true : error),
  );
  if (missing === false) return;
  if (missing !== true) {
    say(`cannot check the namespace ${namespace} of the leader-election Lease (${httpStatus(missing) ?? (missing as Error).message})`);
    return;
  }
  try {
    await api.createNamespace({ body: { metadata: { name: namespace } } });
    say(`created the namespace ${namespace} for the leader-election Lease`);
  } catch (error) {
    say(
      `the namespace ${namespace} of the leader-election Lease does not exist and cannot be created (${httpStatus(error) ?? (error as Error).message}): ` +
        `create it (kubectl create namespace ${namespace}) or set POD_NAMESPACE to an existing namespace`,
    );
  }
}

if (process.env["KUBECONFIG"] && !values.local) {
  console.error(`[operator] KUBECONFIG is set: running the operator against ${process.env["KUBECONFIG"]} (use --local for the sandbox)`);
  await ensureLeaseNamespace((message) => console.error(`[operator] ${message}`));
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
  The booking app's host, through Traefik: ${sandbox.appUrl}  (self-signed certificate; app.acme.example must resolve to ${sandbox.edge.split(":")[0]}):
    curl -k --resolve ${TENANT.appHost}:${sandbox.edge.split(":")[1]}:${sandbox.edge.split(":")[0]} ${sandbox.appUrl}/organization/integration/zoom
  The service's API (bearer token in Secret ${TENANT.name}-zoom-api-token): ${sandbox.apiBase}/openapi.json
  The Zoom emulator: ${sandbox.zoomUrl}
Press Ctrl-C to stop.`);
  if (values["exit-after-demo"]) await sandbox.stop().then(() => process.exit(0));
  else setInterval(() => {}, 1 << 30);
}

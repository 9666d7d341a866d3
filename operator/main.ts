// The operator process: only wiring. `npm run operator -- --help`.
import { CRD_NAME } from "../common/api/constants.ts";
import { loadKubeAccess } from "../common/kube/kube-access.ts";
import { rawRequest, resourcePath } from "../common/kube/raw-client.ts";
import { createLogger } from "../common/logger.ts";
import { configOrExit } from "../common/config-error.ts";
import { helpText, kubeSource, loadConfig } from "./config.ts";
import { startController, type RunningController } from "./controller/controller.ts";
import { createKubeWriter } from "./controller/kube-writer.ts";
import { httpStatus } from "./errors.ts";
import { type HealthInputs, liveness, readiness } from "./health.ts";
import { createMetrics } from "./metrics.ts";
import { createProbesServer, listen } from "./probes-server.ts";
import { electLeader, type Leadership } from "./runtime/leader-election.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(helpText());
  process.exit(0);
}
const config = configOrExit(() => loadConfig(process.env, argv));
const log = createLogger({ level: config.LOG_LEVEL, name: "operator" });
// NB: not client-node's KubeConfig: its import alone would cost the process 50-70 MiB of RSS.
const kc = await loadKubeAccess(kubeSource(config)).catch((error: Error) => {
  log.fatal({ err: error }, "cannot load the Kubernetes credentials");
  process.exit(1);
});

try {
  await rawRequest(kc, { method: "GET", path: resourcePath("apiextensions.k8s.io/v1", "customresourcedefinitions", undefined, CRD_NAME) });
} catch (error) {
  const why = httpStatus(error) === 404 ? "is not installed" : `cannot be read (${httpStatus(error) ?? (error as Error).message})`;
  log.fatal(
    { crd: CRD_NAME },
    `the CRD ${CRD_NAME} ${why}: install it with 'kubectl apply --server-side -f crds/' (or the install bundle) and check the operator's RBAC`,
  );
  process.exit(1);
}

const metrics = createMetrics();
let controller: RunningController | undefined;
let leadership: Leadership | undefined;
const health = (): HealthInputs => {
  const election = leadership?.status();
  const informers = controller?.health();
  return {
    now: Date.now(),
    stuckAfterMs: config.STUCK_WATCH_SECONDS * 1000,
    ...(informers ? { controller: informers } : {}),
    ...(election ? { election } : {}),
  };
};
const probeProps = { registry: metrics.registry, healthy: () => liveness(health()), ready: () => readiness(health()) };
const probes = createProbesServer(probeProps);
const port = await listen(probes, config.HEALTH_PORT, config.BIND_ADDRESS);
const metricsServer = config.METRICS_PORT === config.HEALTH_PORT ? undefined : createProbesServer(probeProps);
if (metricsServer) await listen(metricsServer, config.METRICS_PORT, config.BIND_ADDRESS);
log.info(
  { healthPort: port, metricsPort: config.METRICS_PORT, namespaces: config.WATCH_NAMESPACES, leaderElect: config.LEADER_ELECT },
  "operator starting",
);

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({}, "shutting down");
  await controller?.stop();
  await leadership?.release();
  probes.close();
  metricsServer?.close();
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));

const startWatching = () =>
  startController({
    kc,
    log,
    metrics,
    writer: createKubeWriter(kc, metrics, { component: "zoom-integration-operator", instance: config.POD_NAME }),
    namespaces: config.WATCH_NAMESPACES,
    workers: config.WORKERS,
    resyncMs: config.RESYNC_SECONDS * 1000,
    serviceImage: config.SERVICE_IMAGE,
    ...(config.METRICS_SCRAPERS ? { metricsScrapers: config.METRICS_SCRAPERS } : {}),
    revokeTimeoutMs: config.REVOKE_TIMEOUT_SECONDS * 1000,
  });

/**
 * Leads while it holds the Lease. NB: a leader that cannot renew (an API server down for longer
 * than the renew deadline) stops its controller before the Lease can expire, then rejoins the
 * election in this process: exiting would turn every API-server outage into an operator restart.
 */
async function leadWhileElected(): Promise<void> {
  while (!stopping) {
    leadership = electLeader({ kc, namespace: config.POD_NAMESPACE, name: config.LEASE_NAME, identity: config.POD_NAME, log });
    await leadership.acquired;
    if (stopping) return;
    metrics.leader.set(1);
    controller = await startWatching();
    await leadership.lost;
    metrics.leader.set(0);
    log.error({}, "leadership lost: stopping the controller and rejoining the election");
    const stopped = controller;
    controller = undefined;
    await stopped?.stop();
  }
}

if (config.LEADER_ELECT) await leadWhileElected();
else controller = await startWatching();

// The service process: only wiring. `npm run service -- --help`.
import { createLogger } from "../common/logger.ts";
import { configOrExit } from "../common/config-error.ts";
import { helpText, loadConfig } from "./config.ts";
import { createMetricsApp } from "./http/apps.ts";
import { drain, listen } from "./http/listen.ts";
import { loadKubeAccess } from "../common/kube/kube-access.ts";
import { watchSecretFiles } from "./runtime/mounted-secrets.ts";
import { ConfigMapIdempotencyStore } from "./meetings/configmap-idempotency-store.ts";
import { createMeetingsRouter } from "./meetings/router.ts";
import { createOpenApiRouter } from "./openapi/document.ts";
import { buildService } from "./service.ts";
import { createUsersRouter } from "./users/router.ts";
import { createHostDirectory } from "./hosts/hosts.ts";
import { createHostsRouter } from "./hosts/router.ts";
import { createConfigMapSettingsStore } from "./settings/configmap-settings-store.ts";
import { ZoomApi } from "./zoom/zoom-api.ts";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(helpText());
  process.exit(0);
}
const config = configOrExit(() => loadConfig(process.env));
const log = createLogger({ level: config.logLevel, name: "zoom-service" });
// NB: not client-node's KubeConfig: its import alone would cost ~70 MiB of the pod's RSS.
const kc = await loadKubeAccess(config.kube);

const secrets = await watchSecretFiles(config, {
  onError: (err) => log.warn({ err }, "could not re-read the mounted Secrets; keeping the previous values"),
});
const service = buildService({
  config,
  kc,
  secrets,
  log,
  // The booking app's meetings and users API, and its OpenAPI document, on the internal port.
  apiRouters: (tokens, metrics) => {
    const zoom = new ZoomApi({ tokens, logger: log });
    const state = { namespace: config.namespace, name: config.stateConfigMap };
    const idempotency = new ConfigMapIdempotencyStore({ kc, ...state, metrics, format: config.idempotencyRecordFormat });
    const settings = createConfigMapSettingsStore({ kc, ...state });
    const hosts = createHostDirectory({ zoom, clock: Date.now });
    const deps = { zoom, idempotency, settings, hosts, clock: Date.now, random: Math.random, logger: log };
    return [createMeetingsRouter(deps), createUsersRouter(deps), createHostsRouter(deps), createOpenApiRouter()];
  },
});

const publicServer = await listen(service.publicApp, config.publicPort, config.bindAddress);
const apiServer = await listen(service.apiApp, config.apiPort, config.bindAddress);
const metricsServer = await listen(createMetricsApp(service.metrics), config.metricsPort, config.bindAddress);
log.info(
  {
    publicPort: publicServer.port,
    apiPort: apiServer.port,
    metricsPort: metricsServer.port,
    namespace: config.namespace,
    integration: config.integrationName,
    pod: config.podName,
  },
  "zoom service listening",
);

service.delivery.start();

// Idle grants are refreshed daily; every replica checks hourly and the refresh lock lets one do it.
const idleTimer = setInterval(
  () => {
    service.tokens.refreshIdleGrants().catch((err) => log.warn({ err }, "idle refresh check failed"));
  },
  60 * 60_000 + Math.floor(Math.random() * 5 * 60_000),
);
idleTimer.unref();
void service.tokens.refreshIdleGrants().catch((err) => log.warn({ err }, "idle refresh check failed"));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  service.drain(); // NB: first of all, so /readyz fails while the servers still answer
  log.info({ signal, delayMs: config.shutdownDelayMs, graceMs: config.shutdownGraceMs }, "shutting down: draining in-flight requests");
  clearInterval(idleTimer);
  const times = { delayMs: config.shutdownDelayMs, graceMs: config.shutdownGraceMs };
  await Promise.all([drain(publicServer, times), drain(apiServer, times), drain(metricsServer, times), service.delivery.stop()]);
  secrets.stop();
  log.info({}, "stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

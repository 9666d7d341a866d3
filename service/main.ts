// The service process: only wiring. `npm run service -- --help`.
import { KubeConfig } from "@kubernetes/client-node";
import { createLogger } from "../common/logger.ts";
import { ConfigError, helpText, loadConfig, type ServiceConfig } from "./config.ts";
import { drain, listen } from "./http/listen.ts";
import { watchSecretFiles } from "./runtime/mounted-secrets.ts";
import { buildService } from "./service.ts";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(helpText());
  process.exit(0);
}
let config: ServiceConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n\nRun with --help for the settings.\n`);
  process.exit(2);
}
const log = createLogger({ level: config.logLevel, name: "zoom-service" });
const kc = new KubeConfig();
kc.loadFromDefault(); // in-cluster config in a pod, KUBECONFIG or ~/.kube/config elsewhere

const secrets = await watchSecretFiles(config, { onError: (err) => log.warn({ err }, "could not re-read the mounted Secrets; keeping the previous values") });
const service = buildService({
  config,
  kc,
  secrets,
  log,
  // ---- Issue 7: mount the meetings and users API here, e.g.
  // apiRouters: (tokens) => [createMeetingsRouter({ tokens, ... }), createUsersRouter({ tokens, ... })],
});

const publicServer = await listen(service.publicApp, config.publicPort, config.bindAddress);
const apiServer = await listen(service.apiApp, config.apiPort, config.bindAddress);
log.info({ publicPort: publicServer.port, apiPort: apiServer.port, namespace: config.namespace, integration: config.integrationName, pod: config.podName }, "zoom service listening");

// Idle grants are refreshed daily; every replica checks hourly and the refresh lock lets one do it.
const idleTimer = setInterval(() => {
  service.tokens.refreshIdleGrants().catch((err) => log.warn({ err }, "idle refresh check failed"));
}, 60 * 60_000 + Math.floor(Math.random() * 5 * 60_000));
idleTimer.unref();
void service.tokens.refreshIdleGrants().catch((err) => log.warn({ err }, "idle refresh check failed"));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: draining in-flight requests");
  clearInterval(idleTimer);
  secrets.stop();
  await Promise.all([drain(publicServer.server, config.shutdownGraceMs), drain(apiServer.server, config.shutdownGraceMs)]);
  log.info({}, "stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

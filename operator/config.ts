// Operator configuration: parsed once at start-up from the environment (and flags, which win), by
// one zod schema; fails fast listing every problem; frozen. Nothing else reads process.env.
import { ConfigError, configProblems } from "../common/config-error.ts";
import type { KubeSource } from "../common/kube/kube-access.ts";
import { RELEASE_IMAGE } from "../common/tenant/contract.ts";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const port = z.coerce.number().int().min(1).max(65535);

const Env = z.object({
  WATCH_NAMESPACES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be namespace names separated by commas")))
    .describe("comma-separated namespaces to watch; empty watches all namespaces"),
  POD_NAMESPACE: z.string().min(1).default("zoom-integration-system").describe("namespace of the leader-election Lease"),
  POD_NAME: z.string().min(1).default(hostname()).describe("identity in the Lease"),
  LEADER_ELECT: bool.default(true).describe("take part in Lease-based leader election (true|false)"),
  LEASE_NAME: z.string().min(1).default("zoom-integration-operator").describe("name of the Lease"),
  WORKERS: z.coerce.number().int().min(1).max(64).default(4).describe("ZoomIntegrations reconciled in parallel"),
  RESYNC_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300).describe("periodic re-check of every ZoomIntegration"),
  REVOKE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(30)
    .describe("how long deletion waits for Zoom to revoke a grant before giving up"),
  SERVICE_IMAGE: z.string().min(1).default(RELEASE_IMAGE).describe("image of the per-tenant service"),
  STUCK_WATCH_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .max(86_400)
    .default(300)
    .describe("a watch failing this long fails /healthz, so the kubelet restarts the process"),
  METRICS_PORT: port.default(8080).describe("port for /metrics"),
  METRICS_SCRAPERS: z
    .string()
    .optional()
    .transform((text, ctx) => parseScrapers(text, ctx))
    .describe(
      'who may scrape each tenant\'s metrics port, JSON: {"namespaceSelector":{"matchLabels":{...}},"podSelector":{...}}; unset: the port stays closed',
    ),
  HEALTH_PORT: port.default(8081).describe("port for /healthz and /readyz"),
  BIND_ADDRESS: z.string().default("0.0.0.0").describe("address the metrics and health servers listen on"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  KUBECONFIG: z.string().optional().describe("a kubeconfig file (else the pod's ServiceAccount, else ~/.kube/config)"),
  KUBERNETES_SERVICE_HOST: z.string().optional().describe("set in every pod: the API server's address, with the ServiceAccount's token"),
  KUBERNETES_SERVICE_PORT: z.string().optional().describe("set in every pod: the API server's port"),
});

export type OperatorConfig = Readonly<z.infer<typeof Env>>;

/** Where the Kubernetes credentials come from (common/kube/kube-access.ts). */
export const kubeSource = (c: OperatorConfig): KubeSource => ({
  kubeconfig: c.KUBECONFIG,
  serviceHost: c.KUBERNETES_SERVICE_HOST,
  servicePort: c.KUBERNETES_SERVICE_PORT,
});

const FLAGS = {
  "watch-namespaces": "WATCH_NAMESPACES",
  namespace: "POD_NAMESPACE",
  identity: "POD_NAME",
  "leader-elect": "LEADER_ELECT",
  workers: "WORKERS",
  "resync-seconds": "RESYNC_SECONDS",
  "service-image": "SERVICE_IMAGE",
  "stuck-watch-seconds": "STUCK_WATCH_SECONDS",
  "metrics-port": "METRICS_PORT",
  "metrics-scrapers": "METRICS_SCRAPERS",
  "health-port": "HEALTH_PORT",
  "bind-address": "BIND_ADDRESS",
  "log-level": "LOG_LEVEL",
} as const;

export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([flag, env]) => {
    const description = Env.shape[env].description ?? "";
    return `  --${flag.padEnd(20)} ${env.padEnd(22)} ${description}`;
  });
  return `Usage: npm run operator -- [flags]\n\nRuns the ZoomIntegration operator against the cluster of KUBECONFIG, else the pod's\nServiceAccount, else ~/.kube/config.\n\nFlags (each also read from the environment variable shown):\n${lines.join("\n")}\n  -h, --help\n`;
}

/** Parses flags over environment; throws ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined>, argv: readonly string[] = []): OperatorConfig {
  const options = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: "string" as const }]));
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true }).values as Record<string, string | undefined>;
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  const merged: Record<string, string | undefined> = {};
  for (const key of Object.keys(Env.shape)) merged[key] = env[key] === "" && key !== "WATCH_NAMESPACES" ? undefined : env[key];
  for (const [flag, key] of Object.entries(FLAGS)) if (values[flag] !== undefined) merged[key] = values[flag];
  const parsed = Env.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(configProblems(parsed.error));
  }
  return Object.freeze(parsed.data);
}

const Selector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
const Scrapers = z.strictObject({ namespaceSelector: Selector.optional(), podSelector: Selector.optional() });

/** METRICS_SCRAPERS: a NetworkPolicy peer as JSON (the Helm chart writes it with toJson). */
function parseScrapers(text: string | undefined, ctx: z.RefinementCtx): z.infer<typeof Scrapers> | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `must be JSON (${(error as Error).message})` });
    return z.NEVER;
  }
  const parsed = Scrapers.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: "custom", message: `${issue.path.join(".") || "value"}: ${issue.message}` });
  return z.NEVER;
}

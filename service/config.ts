// Service configuration: parsed once at start-up from the environment the tenant chart sets
// (common/tenant/contract.ts), by one zod schema; fails fast listing every problem; frozen.
// Nothing else reads process.env. Optional variables (not set by the chart) exist for local runs.
import { ConfigError, configProblems } from "../common/config-error.ts";
import { hostname } from "node:os";
import { z } from "zod";
import { Env as ContractEnv, FileName } from "../common/tenant/contract.ts";
import type { KubeSource } from "../common/kube/kube-access.ts";
import { API_PORT, APP_HOST_PREFIX, METRICS_PORT, PUBLIC_PORT, REDIRECT_PATH } from "../common/tenant/names.ts";

const port = z.coerce.number().int().min(0).max(65535);
const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes object name");
const path = z.string().regex(/^\/(?!\/)[^\\\s?#]*$/, "must be an absolute path without query (e.g. /organization/integration/zoom)");
const baseUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const Schema = z.object({
  [ContractEnv.IntegrationName]: name.describe("the ZoomIntegration's name"),
  [ContractEnv.PodNamespace]: name.describe("namespace of the ZoomIntegration and its Secrets"),
  [ContractEnv.PodName]: z.string().min(1).default(hostname()).describe("this replica's identity (refresh lock holder, Event source)"),
  [ContractEnv.Domain]: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS domain such as acme.example")
    .describe("the booking app is at https://app.<domain>"),
  [ContractEnv.AfterConnectPath]: path.default("/organization/integration/zoom").describe("where the admin's browser lands after consent"),
  [ContractEnv.RequiredScopes]: z
    .string()
    .transform((s) => s.split(/\s+/).filter(Boolean))
    .pipe(z.array(z.string()).min(1, "must name at least one scope"))
    .describe("required scopes, space separated"),
  [ContractEnv.OauthBaseUrl]: baseUrl.default("https://zoom.us").describe("base of /oauth/authorize, /oauth/token, /oauth/revoke"),
  [ContractEnv.ApiBaseUrl]: baseUrl.default("https://api.zoom.us").describe("base of the REST API (/v2/...)"),
  [ContractEnv.TokensSecret]: name.describe("the Secret holding OAuth tokens (exists, created by the operator)"),
  [ContractEnv.StateConfigMap]: name.describe("the ConfigMap for idempotency and meeting records"),
  [ContractEnv.PublicPort]: port.default(PUBLIC_PORT).describe("port of the redirect, flow start and webhook (0 = any free port)"),
  [ContractEnv.ApiPort]: port.default(API_PORT).describe("port of the booking app's API, probes and metrics (0 = any free port)"),
  [ContractEnv.MetricsPort]: port.default(METRICS_PORT).describe("port of /metrics alone, for Prometheus (0 = any free port)"),
  [ContractEnv.CredentialsDir]: z.string().min(1).describe(`directory with ${FileName.ClientId} and ${FileName.ClientSecret}`),
  [ContractEnv.ApiTokenDir]: z.string().min(1).describe(`directory with ${FileName.ApiToken} and ${FileName.StateKey}`),
  [ContractEnv.WebhookSecretFile]: z.string().min(1).optional().describe("the webhook Secret Token file; absent = answer no webhooks"),
  PUBLIC_ORIGIN: baseUrl
    .optional()
    .describe("local runs only: origin of the public paths (default https://app.<domain>); http:// drops the cookie's Secure flag"),
  BIND_ADDRESS: z.string().default("0.0.0.0").describe("address both ports listen on"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SHUTDOWN_GRACE_SECONDS: seconds(0, 120).default(20).describe("how long in-flight requests may finish after SIGTERM"),
  SHUTDOWN_DELAY_SECONDS: z.coerce
    .number()
    .min(0)
    .max(60)
    .default(0)
    .describe("after SIGTERM: answer not-ready but keep serving this long before closing (the pod's preStop sleep already does)"),
  REFRESH_DEADLINE_SECONDS: z.coerce
    .number()
    .min(0.1)
    .max(60)
    .default(10)
    .describe("one overall deadline for a token refresh at Zoom (connect, headers and body)"),
  IDEMPOTENCY_RECORD_FORMAT: z
    .enum(["json", "compact"])
    .default("json")
    .describe(
      "how idempotency records are written (both are read): compact halves the bytes per write; set it only once every replica reads it",
    ),
  KUBECONFIG: z.string().optional().describe("local runs only: a kubeconfig file (else the pod's ServiceAccount, else ~/.kube/config)"),
  KUBERNETES_SERVICE_HOST: z.string().optional().describe("set in every pod: the API server's address, with the ServiceAccount's token"),
  KUBERNETES_SERVICE_PORT: z.string().optional().describe("set in every pod: the API server's port"),
  REFRESH_LOCK_MARGIN_SECONDS: z.coerce
    .number()
    .min(0.1)
    .max(60)
    .default(5)
    .describe("how much longer the refresh lock lives than that deadline"),
  EVENTS_LOCK_TTL_SECONDS: seconds(3, 600).default(30).describe("the event delivery lock: taken over after this long unrenewed"),
  EVENTS_POLL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(2000)
    .describe("how often the delivering replica looks for events recorded by other replicas"),
  EVENTS_DELIVERY_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(60).default(10).describe("one POST to a booking-app endpoint"),
  EVENTS_MAX_BACKOFF_SECONDS: seconds(1, 3600).default(300).describe("the longest pause between attempts at a failing endpoint"),
});

type Parsed = z.infer<typeof Schema>;

export interface ServiceConfig {
  readonly integrationName: string;
  readonly namespace: string;
  readonly podName: string;
  readonly domain: string;
  /** `https://app.<domain>` unless PUBLIC_ORIGIN overrides it (local runs). */
  readonly publicOrigin: string;
  /** The redirect URL registered in the Zoom Marketplace. */
  readonly redirectUrl: string;
  readonly afterConnectPath: string;
  readonly requiredScopes: readonly string[];
  readonly oauthBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly tokensSecret: string;
  readonly stateConfigMap: string;
  readonly publicPort: number;
  readonly apiPort: number;
  readonly metricsPort: number;
  readonly credentialsDir: string;
  readonly apiTokenDir: string;
  readonly webhookSecretFile: string | undefined;
  readonly bindAddress: string;
  readonly logLevel: Parsed["LOG_LEVEL"];
  readonly shutdownGraceMs: number;
  readonly shutdownDelayMs: number;
  readonly refreshDeadlineMs: number;
  readonly refreshLockMarginMs: number;
  /** How the idempotency store writes its records (meetings/record-codec.ts); it always reads both. */
  readonly idempotencyRecordFormat: Parsed["IDEMPOTENCY_RECORD_FORMAT"];
  /** Where the Kubernetes credentials come from (common/kube/kube-access.ts). */
  readonly kube: KubeSource;
  readonly events: { readonly lockTtlMs: number; readonly pollMs: number; readonly timeoutMs: number; readonly maxBackoffMs: number };
}

export function helpText(): string {
  const lines = Object.entries(Schema.shape).map(([key, schema]) => `  ${key.padEnd(26)} ${schema.description ?? ""}`);
  return (
    "Usage: npm run service\n\nRuns the per-tenant Zoom service (OAuth connect flow, tokens, webhooks). Kubernetes access:\n" +
    "KUBECONFIG, else the pod's ServiceAccount, else ~/.kube/config.\n\nEnvironment:\n" +
    `${lines.join("\n")}\n`
  );
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): ServiceConfig {
  const input = Object.fromEntries(Object.keys(Schema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const parsed = Schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(configProblems(parsed.error));
  }
  const c = parsed.data;
  if (c.EVENTS_DELIVERY_TIMEOUT_SECONDS * 3 > c.EVENTS_LOCK_TTL_SECONDS)
    throw new ConfigError([
      "EVENTS_DELIVERY_TIMEOUT_SECONDS: must be at most a third of EVENTS_LOCK_TTL_SECONDS (a POST must end inside the lock)",
    ]);
  const publicOrigin = c.PUBLIC_ORIGIN ?? `https://${APP_HOST_PREFIX}${c[ContractEnv.Domain]}`;
  return Object.freeze({
    integrationName: c[ContractEnv.IntegrationName],
    namespace: c[ContractEnv.PodNamespace],
    podName: c[ContractEnv.PodName],
    domain: c[ContractEnv.Domain],
    publicOrigin,
    redirectUrl: `${publicOrigin}${REDIRECT_PATH}`,
    afterConnectPath: c[ContractEnv.AfterConnectPath],
    requiredScopes: Object.freeze([...new Set(c[ContractEnv.RequiredScopes])]),
    oauthBaseUrl: c[ContractEnv.OauthBaseUrl],
    apiBaseUrl: c[ContractEnv.ApiBaseUrl],
    tokensSecret: c[ContractEnv.TokensSecret],
    stateConfigMap: c[ContractEnv.StateConfigMap],
    publicPort: c[ContractEnv.PublicPort],
    apiPort: c[ContractEnv.ApiPort],
    metricsPort: c[ContractEnv.MetricsPort],
    credentialsDir: c[ContractEnv.CredentialsDir],
    apiTokenDir: c[ContractEnv.ApiTokenDir],
    webhookSecretFile: c[ContractEnv.WebhookSecretFile],
    bindAddress: c.BIND_ADDRESS,
    logLevel: c.LOG_LEVEL,
    shutdownGraceMs: c.SHUTDOWN_GRACE_SECONDS * 1000,
    shutdownDelayMs: Math.round(c.SHUTDOWN_DELAY_SECONDS * 1000),
    refreshDeadlineMs: Math.round(c.REFRESH_DEADLINE_SECONDS * 1000),
    refreshLockMarginMs: Math.round(c.REFRESH_LOCK_MARGIN_SECONDS * 1000),
    idempotencyRecordFormat: c.IDEMPOTENCY_RECORD_FORMAT,
    kube: Object.freeze({ kubeconfig: c.KUBECONFIG, serviceHost: c.KUBERNETES_SERVICE_HOST, servicePort: c.KUBERNETES_SERVICE_PORT }),
    events: Object.freeze({
      lockTtlMs: c.EVENTS_LOCK_TTL_SECONDS * 1000,
      pollMs: c.EVENTS_POLL_MS,
      timeoutMs: Math.round(c.EVENTS_DELIVERY_TIMEOUT_SECONDS * 1000),
      maxBackoffMs: c.EVENTS_MAX_BACKOFF_SECONDS * 1000,
    }),
  });
}

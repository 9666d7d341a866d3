// Stable names, labels, paths and ports of one tenant's children. The operator finds its children by
// these names, the booking app by the Service and Secret names, Zoom by the paths: changing any of
// them is a breaking change for a running tenant.

/** The OAuth redirect URL's path, registered in the Zoom Marketplace as is (Ingress pathType Exact). */
export const REDIRECT_PATH = "/organization/integration/zoom/redirect";
/**
 * Prefix of every other public path (Ingress pathType Prefix). The booking app owns the rest of
 * `app.<domain>`, so the service's own pages live under a prefix it will never use.
 */
export const PUBLIC_PATH_PREFIX = "/zoom-integration/";
/** Starts the OAuth flow: sets the browser-binding cookie and redirects to Zoom. */
export const START_PATH = `${PUBLIC_PATH_PREFIX}start`;
/** Zoom's webhook endpoint (event notifications, URL validation, app_deauthorized). */
export const WEBHOOK_PATH = `${PUBLIC_PATH_PREFIX}webhook`;
/** The booking app is served at `https://app.<domain>`. */
export const APP_HOST_PREFIX = "app.";

/** Public port: the redirect, the flow start and the webhook, routed by the Ingress. */
export const PUBLIC_PORT = 8080;
export const PUBLIC_PORT_NAME = "public";
/** Internal port: the booking app's API and the probes; ClusterIP only, behind the NetworkPolicy. */
export const API_PORT = 8081;
export const API_PORT_NAME = "api";
/** Metrics port: /metrics only, so a Prometheus can scrape without reaching the API (NetworkPolicy). */
export const METRICS_PORT = 9090;
export const METRICS_PORT_NAME = "metrics";

/** Pod-template annotation holding the credentials checksum: a new value rolls the pods. */
export const CREDENTIALS_CHECKSUM_ANNOTATION = "bookingops.dev/credentials-checksum";
/** Label naming the ZoomIntegration on every child, for `kubectl get all -l`. */
export const INTEGRATION_LABEL = "bookingops.dev/zoom-integration";

/** Names of every child of the ZoomIntegration `name`. */
export interface TenantNames {
  readonly serviceAccount: string;
  readonly role: string;
  readonly roleBinding: string;
  readonly deployment: string;
  readonly service: string;
  readonly ingress: string;
  /** The HTTPRoute (routing.gateway mode). */
  readonly httpRoute: string;
  readonly networkPolicy: string;
  readonly podDisruptionBudget: string;
  /** OAuth tokens per grant; created empty, its data belongs to the service. */
  readonly tokensSecret: string;
  /** The booking app's bearer token and the service's state key; generated once by the operator. */
  readonly apiTokenSecret: string;
  /** Idempotency and meeting records; created empty, its data belongs to the service. */
  readonly stateConfigMap: string;
}

export function tenantNames(name: string): TenantNames {
  const base = `${name}-zoom`;
  return {
    serviceAccount: base,
    role: base,
    roleBinding: base,
    deployment: base,
    service: base,
    ingress: base,
    httpRoute: base,
    networkPolicy: base,
    podDisruptionBudget: base,
    tokensSecret: `${base}-tokens`,
    apiTokenSecret: `${base}-api-token`,
    stateConfigMap: `${base}-state`,
  };
}

/** `app.<domain>`: the Ingress host and the Zoom allow-list URL's host. */
export function appHost(domain: string): string {
  return `${APP_HOST_PREFIX}${domain}`;
}

/**
 * The Deployment's selector (and the Service's, the NetworkPolicy's, the PDB's).
 * NB: a Deployment's selector is immutable; these two labels must never change across releases.
 */
export function selectorLabels(name: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "zoom-integration-service",
    "app.kubernetes.io/instance": name,
  };
}

/** Labels on every child and on the pods. */
export function tenantLabels(name: string): Record<string, string> {
  return {
    ...selectorLabels(name),
    "app.kubernetes.io/managed-by": "zoom-integration-operator",
    "app.kubernetes.io/part-of": "zoom-integration-operator",
    [INTEGRATION_LABEL]: name,
  };
}

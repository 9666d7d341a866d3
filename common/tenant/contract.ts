// The contract between the tenant chart and the service: the environment variables and mounted
// files the service reads. The service follows it; README.md documents it as a table. Changing a
// value here is a breaking change for the service image.

/** Environment variables set on the service container, in the order they are rendered. */
export const Env = {
  /** The ZoomIntegration's name. */
  IntegrationName: "ZOOM_INTEGRATION_NAME",
  /** Downward API: the pod's namespace (also the ZoomIntegration's). */
  PodNamespace: "POD_NAMESPACE",
  /** Downward API: the pod's name (lock holder identity, Event source). */
  PodName: "POD_NAME",
  Domain: "ZOOM_DOMAIN",
  AfterConnectPath: "ZOOM_AFTER_CONNECT_PATH",
  /** Space-separated, like OAuth's `scope` parameter. */
  RequiredScopes: "ZOOM_REQUIRED_SCOPES",
  OauthBaseUrl: "ZOOM_OAUTH_BASE_URL",
  ApiBaseUrl: "ZOOM_API_BASE_URL",
  TokensSecret: "ZOOM_TOKENS_SECRET",
  StateConfigMap: "ZOOM_STATE_CONFIGMAP",
  PublicPort: "PUBLIC_PORT",
  ApiPort: "API_PORT",
  MetricsPort: "METRICS_PORT",
  CredentialsDir: "ZOOM_CREDENTIALS_DIR",
  ApiTokenDir: "ZOOM_API_TOKEN_DIR",
  /** Set only when the ZoomIntegration names a webhook Secret. */
  WebhookSecretFile: "ZOOM_WEBHOOK_SECRET_FILE",
} as const;

/** Where the Secrets are mounted (read-only). */
export const MountPath = {
  Tmp: "/tmp",
  Credentials: "/var/run/zoom/credentials",
  ApiToken: "/var/run/zoom/api",
  Webhook: "/var/run/zoom/webhook",
} as const;

/** File names inside the mounted directories, whatever the keys are called in the source Secrets. */
export const FileName = {
  ClientId: "client-id",
  ClientSecret: "client-secret",
  ApiToken: "token",
  StateKey: "state-key",
  /** The token a rotation replaced, accepted until PreviousApiTokenExpiresAt; empty when none. */
  PreviousApiToken: "previous-token",
  /** RFC 3339 end of the rotation's overlap period; empty when there is no previous token. */
  PreviousApiTokenExpiresAt: "previous-token-expires-at",
  /** The state key a rotation replaced: opens (never seals) values until PreviousStateKeyExpiresAt; empty when none. */
  PreviousStateKey: "previous-state-key",
  /** RFC 3339 end of the state key's overlap period; empty when there is no previous state key. */
  PreviousStateKeyExpiresAt: "previous-state-key-expires-at",
  WebhookSecretToken: "secret-token",
} as const;

/** Keys of the api-token Secret (equal to the file names it is mounted as). */
export const ApiTokenKey = {
  Token: FileName.ApiToken,
  StateKey: FileName.StateKey,
  PreviousToken: FileName.PreviousApiToken,
  PreviousTokenExpiresAt: FileName.PreviousApiTokenExpiresAt,
  PreviousStateKey: FileName.PreviousStateKey,
  PreviousStateKeyExpiresAt: FileName.PreviousStateKeyExpiresAt,
} as const;

/**
 * On the api-token Secret: the value of the ZoomIntegration's ROTATE_API_TOKEN_ANNOTATION that its
 * current token answers. A different value on the ZoomIntegration asks for a new token.
 */
export const API_TOKEN_ROTATION_ANNOTATION = "bookingops.dev/api-token-rotation";
/** On the api-token Secret: the value of ROTATE_STATE_KEY_ANNOTATION that its current state key answers. */
export const STATE_KEY_ROTATION_ANNOTATION = "bookingops.dev/state-key-rotation";

/** Probe paths, served on the API port. */
export const ProbePath = { Readiness: "/readyz", Liveness: "/healthz" } as const;

/** The image published for this release: the operator runs it, and stamps it into every tenant. */
export const RELEASE_IMAGE = "ghcr.io/bookingops/zoom-integration-operator:0.1.0";

/** The service's container name and arguments (one image is both operator and service). */
export const CONTAINER_NAME = "service";
export const CONTAINER_ARGS: readonly string[] = ["service"];

/** uid/gid/fsGroup of the service process (restricted Pod Security Standard, non-root). */
export const RUN_AS_ID = 10001;
/** `r--r-----`: readable by the owner and by fsGroup only. */
export const SECRET_FILE_MODE = 0o440;

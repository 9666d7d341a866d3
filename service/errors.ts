// The service's closed set of errors. Each has a stable `code` (documented in the OpenAPI
// document and the README), an HTTP status, and whether the caller may retry. One error
// middleware turns them into `{code, message, requestId}`; nothing else writes error bodies.

export const ErrorCode = {
  BadRequest: "BAD_REQUEST",
  Unauthorized: "UNAUTHORIZED",
  NotFound: "NOT_FOUND",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  ConnectionMissing: "CONNECTION_MISSING",
  ReauthorizationRequired: "REAUTHORIZATION_REQUIRED",
  MissingScopes: "MISSING_SCOPES",
  IdempotencyInProgress: "IDEMPOTENCY_IN_PROGRESS",
  IdempotencyMismatch: "IDEMPOTENCY_KEY_REUSED",
  IdempotencyStoreUnavailable: "IDEMPOTENCY_STORE_UNAVAILABLE",
  EventsStoreUnavailable: "EVENTS_STORE_UNAVAILABLE",
  KubernetesUnavailable: "KUBERNETES_UNAVAILABLE",
  MeetingGone: "MEETING_GONE",
  MeetingInProgress: "MEETING_IN_PROGRESS",
  MeetingEnded: "MEETING_ENDED",
  AmbiguousTime: "AMBIGUOUS_TIME",
  HostCannotHost: "HOST_CANNOT_HOST",
  ZoomDailyLimit: "ZOOM_DAILY_LIMIT",
  ZoomRateLimited: "ZOOM_RATE_LIMITED",
  ZoomUnavailable: "ZOOM_UNAVAILABLE",
  ZoomBadResponse: "ZOOM_BAD_RESPONSE",
  ZoomRejected: "ZOOM_REJECTED",
  Internal: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  CONNECTION_MISSING: 409,
  REAUTHORIZATION_REQUIRED: 409,
  MISSING_SCOPES: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_STORE_UNAVAILABLE: 503,
  EVENTS_STORE_UNAVAILABLE: 503,
  KUBERNETES_UNAVAILABLE: 503,
  MEETING_GONE: 404,
  MEETING_IN_PROGRESS: 409,
  MEETING_ENDED: 409,
  AMBIGUOUS_TIME: 400,
  HOST_CANNOT_HOST: 422,
  ZOOM_DAILY_LIMIT: 429,
  ZOOM_RATE_LIMITED: 503,
  ZOOM_UNAVAILABLE: 502,
  ZOOM_BAD_RESPONSE: 502,
  ZOOM_REJECTED: 502,
  INTERNAL: 500,
};

export interface ServiceErrorOptions {
  readonly cause?: unknown;
  /** Extra, non-secret fields for the answer (e.g. `field` for a 400, `resetAt` for the daily cap). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Seconds for a Retry-After header. */
  readonly retryAfterSeconds?: number;
}

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, options: ServiceErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ServiceError";
    this.code = code;
    this.status = STATUS[code];
    this.retryable = this.status >= 500 || code === ErrorCode.ZoomDailyLimit || code === ErrorCode.IdempotencyInProgress;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function errorStatus(code: ErrorCode): number {
  return STATUS[code];
}

/** Network failures of a request to the API server (Node's and undici's codes): it may be restarting. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * Whether an error that is not a ServiceError says the Kubernetes API server is down, overloaded or
 * not ready: an answer of 403, 429 or 5xx, or no answer at all, anywhere in its cause chain. NB: Zoom's failures
 * never get here (the Zoom client turns them into ServiceErrors), so a refused connection is the
 * API server's.
 */
export function kubernetesUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    // NB: 403 too: a restarted API server answers Forbidden until its RBAC caches are synced (seen
    // in the chaos tier); a permission really missing is a deployment fault, not the caller's, and
    // is logged at error level either way.
    if (typeof code === "number" && (code === 403 || code === 429 || (code >= 500 && code <= 599))) return true;
    if (typeof code === "string" && UNREACHABLE.has(code)) return true;
  }
  return false;
}

/** How long a caller should wait before retrying while the API server is unavailable. */
export const KUBERNETES_RETRY_AFTER_SECONDS = 5;

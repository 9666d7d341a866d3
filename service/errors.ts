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

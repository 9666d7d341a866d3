// The operator's closed set of failures. Each has a stable `reason` (also the `reason` label of
// zio_operator_reconciles_total and, for domain failures, the condition reason) and says whether
// retrying can help. Domain failures (a bad spec, a missing Secret) become conditions and wait for
// a watch event; the rest are requeued with backoff by the work queue.

/** Every reason, documented; PascalCase and stable (dashboards and alerts match on them). */
export const ReconcileReason = {
  /** The spec is refused by a validation deeper than the CRD schema; fixed by editing it. */
  InvalidSpec: "InvalidSpec",
  /** A referenced Secret does not exist. */
  SecretNotFound: "SecretNotFound",
  /** A referenced Secret lacks a key. */
  SecretKeyMissing: "SecretKeyMissing",
  /** The API server refused the operator (403): its RBAC is missing or was withdrawn. */
  Forbidden: "Forbidden",
  /** The object changed between our read and our write (409); the retry reads it again. */
  Conflict: "Conflict",
  /** The API server refused an object as invalid (422), e.g. an admission policy or a webhook. */
  Invalid: "Invalid",
  /** The API server answered with another error status (404, 429, 500, ...). */
  KubernetesApiError: "KubernetesApiError",
  /** No answer from the API server: connection refused or reset, DNS, timeouts, 502/503/504. */
  KubernetesUnavailable: "KubernetesUnavailable",
  /** A watch is failing, so the caches may be stale: nothing is reconciled on them until it works again. */
  CacheStale: "CacheStale",
  /** Zoom did not revoke a grant on deletion (unreachable, bad client credentials). */
  RevokeFailed: "RevokeFailed",
  /** Anything else: a bug in the operator. */
  Unexpected: "Unexpected",
} as const;
export type ReconcileReason = (typeof ReconcileReason)[keyof typeof ReconcileReason];

export class ReconcileError extends Error {
  readonly reason: ReconcileReason;
  readonly retryable: boolean;
  /** Retry no later than this (the queue's backoff would wait longer), e.g. at a revoke's deadline. */
  readonly retryAfterMs: number | undefined;
  constructor(reason: ReconcileReason, message: string, options: { retryable: boolean; cause?: unknown; retryAfterMs?: number }) {
    super(message, { cause: options.cause });
    this.name = "ReconcileError";
    this.reason = reason;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * The HTTP status of a Kubernetes API error: client-node's ApiException and raw-client's
 * KubeHttpError carry it as `code`. NB: a DOMException has a numeric `code` too (23 for a timeout).
 */
export function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" && code >= 100 && code <= 599 ? code : undefined;
}

/** undici's and Node's codes for "no answer": the API server is down, unreachable or too slow. */
const NETWORK_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** The string `code` of `error` or of one of its causes (fetch wraps undici's error in a TypeError). */
export function networkCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    if ((current as { name?: unknown }).name === "TimeoutError") return "TimeoutError";
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The reason for an answer of the API server with `status`. */
export function reasonForStatus(status: number): ReconcileReason {
  if (status === 403) return ReconcileReason.Forbidden;
  if (status === 409) return ReconcileReason.Conflict;
  if (status === 422) return ReconcileReason.Invalid;
  if (status === 502 || status === 503 || status === 504) return ReconcileReason.KubernetesUnavailable;
  return ReconcileReason.KubernetesApiError;
}

/** Codes of our own errors that mean "the spec cannot be rendered" (charts/tenant/validate-props.ts). */
const SPEC_ERROR_CODES = new Set(["InvalidTenantProps"]);
/** Codes of common/zoom/revoke.ts's ZoomRevokeError. */
const REVOKE_ERROR_CODES = new Set(["ZoomUnavailable", "ZoomClientRejected", "ZoomBadResponse"]);

/** Classifies anything thrown while reconciling into the closed set; `Unexpected` only for what none of the rules knows. */
export function classify(error: unknown): ReconcileError {
  if (error instanceof ReconcileError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = httpStatus(error);
  if (status !== undefined) {
    return new ReconcileError(reasonForStatus(status), `the Kubernetes API answered ${status}: ${message}`, {
      retryable: true,
      cause: error,
    });
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && SPEC_ERROR_CODES.has(code)) {
    return new ReconcileError(ReconcileReason.InvalidSpec, message, { retryable: false, cause: error });
  }
  if (typeof code === "string" && REVOKE_ERROR_CODES.has(code)) {
    return new ReconcileError(ReconcileReason.RevokeFailed, message, { retryable: true, cause: error });
  }
  const network = networkCode(error);
  if (network) {
    return new ReconcileError(ReconcileReason.KubernetesUnavailable, `no answer from the Kubernetes API (${network}): ${message}`, {
      retryable: true,
      cause: error,
    });
  }
  return new ReconcileError(ReconcileReason.Unexpected, message, { retryable: true, cause: error });
}

/** A child that could not be applied: `message` says which, the reason comes from the cause. */
export function childApplyFailed(message: string, cause: unknown): ReconcileError {
  return new ReconcileError(classify(cause).reason, message, { retryable: true, cause });
}

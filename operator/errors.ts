// The operator's closed set of failures. Each has a stable `reason` (also the metric label and,
// for domain failures, the condition reason) and says whether retrying can help. Domain failures
// (a bad spec, a missing Secret) become conditions and wait for a watch event; the rest are
// requeued with backoff by the work queue.

export type ReconcileReason =
  | "InvalidSpec"
  | "SecretNotFound"
  | "SecretKeyMissing"
  | "KubernetesApiError"
  | "Conflict"
  | "RevokeFailed"
  | "Unexpected";

export class ReconcileError extends Error {
  readonly reason: ReconcileReason;
  readonly retryable: boolean;
  constructor(reason: ReconcileReason, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "ReconcileError";
    this.reason = reason;
    this.retryable = options.retryable;
  }
}

export function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Classifies anything thrown while reconciling into the closed set. */
export function classify(error: unknown): ReconcileError {
  if (error instanceof ReconcileError) return error;
  const status = httpStatus(error);
  if (status === 409) return new ReconcileError("Conflict", "the object changed while we wrote it", { retryable: true, cause: error });
  if (status !== undefined) {
    return new ReconcileError("KubernetesApiError", `the Kubernetes API answered ${status}`, { retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ReconcileError("Unexpected", message, { retryable: true, cause: error });
}

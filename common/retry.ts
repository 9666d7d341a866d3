// Retries with exponential backoff and jitter: the one implementation behind every retry loop of
// the operator and the service. Pure apart from the injected sleep, clock and random source.

/** Exponential backoff: `baseMs * 2^(attempt-1)`, capped at `maxMs`, then jittered. */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /**
   * Share of the delay that is random: 0 = none (deterministic), 1 = "full jitter" (0..ceiling).
   * Default 0.5: between half the ceiling and the ceiling, so clients that failed together spread
   * out without ever retrying immediately.
   */
  readonly jitter?: number;
}

/** The delay before retry number `attempt` (1 = the first retry). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, backoff.jitter ?? 0.5));
  return Math.round(ceiling * (1 - jitter + jitter * random()));
}

/** Why a try is repeated: the error it threw, or the value that asked for another try. */
export interface RetryCause<T> {
  readonly error?: unknown;
  readonly value?: T;
}

export interface RetryOptions<T> extends Backoff {
  /** Tries in all, the first included (>= 1). */
  readonly attempts: number;
  /** Epoch ms after which no further try starts (optional). */
  readonly deadline?: number;
  /** Whether a thrown error may be retried; a false answer rethrows it at once. */
  readonly retryable: (error: unknown, attempt: number) => boolean;
  /** Whether a returned value asks for another try (e.g. a 429 answer); the last one is returned. */
  readonly retryResult?: (value: T, attempt: number) => boolean;
  /**
   * The backoff for one cause when it is not the default one, e.g. none after a write conflict
   * (the re-read is the wait) but seconds after an API failure.
   */
  readonly backoffFor?: (why: RetryCause<T>, attempt: number) => Backoff | undefined;
  /** Called before each wait, e.g. to log (the error, or the value that asked for a retry). */
  readonly onRetry?: (why: RetryCause<T>, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** No wait between tries. */
export const IMMEDIATE: Backoff = { baseMs: 0, maxMs: 0 };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it returns a value that needs no retry, throws an error that may not be retried,
 * or the tries or the deadline run out (then the last error is thrown, or the last value returned).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const now = options.now ?? Date.now;
  const mayRetry = (attempt: number) => attempt < options.attempts && (options.deadline === undefined || now() < options.deadline);
  for (let attempt = 1; ; attempt++) {
    let why: RetryCause<T>;
    try {
      const value = await fn(attempt);
      if (!options.retryResult?.(value, attempt) || !mayRetry(attempt)) return value;
      why = { value };
    } catch (error) {
      if (!options.retryable(error, attempt) || !mayRetry(attempt)) throw error;
      why = { error };
    }
    const delay = backoffDelay(attempt, options.backoffFor?.(why, attempt) ?? options, options.random);
    options.onRetry?.(why, attempt, delay);
    if (delay > 0) await (options.sleep ?? sleep)(delay);
  }
}

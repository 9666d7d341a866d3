// Polls until an assertion passes: the way tests wait for a level-based system to converge.
export interface EventuallyOptions {
  /** Give up after this long (default 30 s). */
  readonly timeout?: number;
  /** Pause between attempts (default 200 ms). */
  readonly interval?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` until it resolves without throwing, then returns its value; rethrows the last failure on timeout. */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const { timeout = 30_000, interval = 200 } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= deadline) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`not true after ${timeout} ms: ${message}`, { cause: error });
      }
    }
    await sleep(interval);
  }
}

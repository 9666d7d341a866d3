// A level-based work queue, like client-go's: keys (namespace/name) are de-duplicated, one key is
// processed by at most one worker at a time, several keys in parallel, failures are retried with
// per-key exponential backoff, and a key added while it is being processed runs once more after.
import { backoffDelay } from "../../common/retry.ts";

export type Handler = (key: string) => Promise<void>;

export interface WorkQueueOptions {
  readonly workers: number;
  /** First retry delay; doubles per consecutive failure of the same key (default 250 ms). */
  readonly baseDelayMs?: number;
  /** Cap for the retry delay (default 5 minutes). */
  readonly maxDelayMs?: number;
  /**
   * Random share of each retry delay (common/retry.ts; default 0.5: between half the delay and the
   * delay). Tenants that failed together (an API server restart) then do not all return together.
   */
  readonly jitter?: number;
  readonly onError?: (key: string, error: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  private readonly pending = new Set<string>(); // queued, in FIFO order of first add
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>(); // added again while active
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly handler: Handler;
  private readonly options: WorkQueueOptions;

  constructor(handler: Handler, options: WorkQueueOptions) {
    this.handler = handler;
    this.options = options;
  }

  /** Queues `key` now (a pending delayed add for it is superseded). */
  add(key: string): void {
    if (this.stopped) return;
    this.clearTimer(key);
    if (this.active.has(key)) this.dirty.add(key);
    else this.pending.add(key);
    this.pump();
  }

  /** Queues `key` after `delayMs`, unless an earlier add for it is already scheduled. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  get depth(): number {
    return this.pending.size + this.timers.size;
  }

  /** Resolves when nothing is queued or running (delayed retries may still be scheduled). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work and waits for the running handlers to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    this.pending.clear();
    await this.idle();
  }

  private clearTimer(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  private pump(): void {
    while (this.running < this.options.workers && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.running === 0 && this.pending.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private retryDelay(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const { baseDelayMs = 250, maxDelayMs = 300_000, jitter = 0.5 } = this.options;
    return backoffDelay(n, { baseMs: baseDelayMs, maxMs: maxDelayMs, jitter });
  }

  private async process(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (error) {
      const delay = this.retryDelay(key);
      this.options.onError?.(key, error, delay);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}

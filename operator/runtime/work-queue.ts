// A level-based work queue, like client-go's: keys (namespace/name) are de-duplicated, one key is
// processed by at most one worker at a time, several keys in parallel, failures are retried with
// per-key exponential backoff, and a key added while it is being processed runs once more after.
// Two lanes: work something asked for (an event, a retry) goes before the periodic look at every key
// (the resync), so a spec edit does not wait behind hundreds of tenants that changed nothing; every
// BACKGROUND_TURN-th pick still takes from the background lane, so neither lane starves.
import { backoffDelay } from "../../common/retry.ts";

export type Handler = (key: string) => Promise<void>;

/** How a key is queued: "event" (something changed, or a retry) or "background" (the periodic resync). */
export type Lane = "event" | "background";

/** While both lanes hold keys, one pick in this many takes from the background lane. */
export const BACKGROUND_TURN = 4;

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
  private readonly pending = new Set<string>(); // event lane: queued, in FIFO order of first add
  private readonly background = new Set<string>(); // background lane, likewise
  private picks = 0;
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

  /**
   * Queues `key` now (a pending delayed add for it is superseded). A key in the background lane
   * added as an event moves to the event lane; one already in the event lane stays there.
   */
  add(key: string, lane: Lane = "event"): void {
    if (this.stopped) return;
    // NB: a key already running, queued as an event or due for a retry needs no periodic look.
    if (lane === "background" && (this.active.has(key) || this.pending.has(key) || this.timers.has(key))) return;
    this.clearTimer(key);
    if (this.active.has(key)) this.dirty.add(key);
    else if (lane === "event") {
      this.background.delete(key);
      this.pending.add(key);
    } else this.background.add(key);
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
    return this.pending.size + this.background.size + this.timers.size;
  }

  /** Resolves when nothing is queued or running (delayed retries may still be scheduled). */
  idle(): Promise<void> {
    if (this.queued === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work and waits for the running handlers to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    this.pending.clear();
    this.background.clear();
    await this.idle();
  }

  private clearTimer(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  private get queued(): number {
    return this.pending.size + this.background.size;
  }

  /** The next key: from the event lane, but from the background lane every BACKGROUND_TURN-th pick or when it alone holds keys. */
  private take(): string {
    this.picks++;
    const lane =
      this.pending.size === 0 || (this.background.size > 0 && this.picks % BACKGROUND_TURN === 0) ? this.background : this.pending;
    const key = lane.values().next().value as string;
    lane.delete(key);
    return key;
  }

  private pump(): void {
    while (this.running < this.options.workers && this.queued > 0) {
      const key = this.take();
      this.active.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.running === 0 && this.queued === 0) {
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

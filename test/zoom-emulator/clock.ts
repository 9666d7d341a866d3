/**
 * The emulator's clock. Every expiry (codes 5 min, access tokens 1 h, start_url 2 h, page tokens
 * 15 min) and every rate-limit window reads this clock, never `Date.now()`, so tests move time
 * instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as the emulator sees it. */
  now(): number;
}

export interface ClockControl extends Clock {
  /** Moves the emulator's time forward (or back, with a negative value). */
  advance(ms: number): void;
  /** Jumps to an instant; a frozen clock stays there, a running one keeps ticking from there. */
  set(instant: Date | number | string): void;
}

export interface ClockOptions {
  /**
   * Freeze time at this instant: it then moves only through `advance` / `set`. Default: not
   * frozen, the system time plus whatever `advance` / `set` added (right for the sandbox).
   */
  readonly frozenAt?: Date | number | string | undefined;
}

function toMs(instant: Date | number | string): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === "number" ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}

export function createClock(options: ClockOptions = {}): ClockControl {
  const frozen = options.frozenAt !== undefined;
  let offset = 0;
  let frozenNow = frozen ? toMs(options.frozenAt as Date | number | string) : 0;
  return {
    now: () => (frozen ? frozenNow : Date.now() + offset),
    advance(ms) {
      if (frozen) frozenNow += ms;
      else offset += ms;
    },
    set(instant) {
      const target = toMs(instant);
      if (frozen) frozenNow = target;
      else offset = target - Date.now();
    },
  };
}

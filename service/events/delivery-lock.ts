// Exactly one replica delivers a tenant's events: the holder of the delivery lock, an annotation
// {holder, id, ttlMs, renewals} on event shard 0, written by compare-and-swap. As with the refresh
// lock (service/tokens/refresh-lock.ts), no pod's clock is compared with another's: a lock is taken
// over only once the same version (id, renewals) went unchanged for `ttlMs` on the observer's own
// clock, counted from when it first saw it; the holder renews every ttl/3 and counts its own hold
// from just before its write was sent, so its view of the lock ends before anyone may take over.

export const LOCK_ANNOTATION = "bookingops.dev/delivery-lock";

export interface DeliveryLock {
  readonly holder: string;
  readonly id: string;
  readonly ttlMs: number;
  readonly renewals: number;
}

export function parseLock(value: string | undefined): DeliveryLock | undefined {
  if (!value) return undefined;
  try {
    const l = JSON.parse(value) as Partial<DeliveryLock>;
    if (typeof l.holder !== "string" || typeof l.id !== "string" || typeof l.ttlMs !== "number") return undefined;
    return { holder: l.holder, id: l.id, ttlMs: l.ttlMs, renewals: typeof l.renewals === "number" ? l.renewals : 0 };
  } catch {
    return undefined; // NB: edited by hand: treated as absent
  }
}

/** When this process first saw each version of the lock: expiry on our own clock only. */
export class LockObserver {
  #seen: { version: string; at: number } | undefined;

  /** ms this exact version has been seen unchanged (0 on first sight). */
  age(lock: DeliveryLock, now: number): number {
    const version = `${lock.holder}/${lock.id}/${lock.renewals}`;
    if (this.#seen?.version === version) return now - this.#seen.at;
    this.#seen = { version, at: now };
    return 0;
  }
}

export type LockDecision = { readonly kind: "wait" } | { readonly kind: "take"; readonly takeover: boolean };

/** May this replica write a new lock over what it read? */
export function decide(current: DeliveryLock | undefined, observer: LockObserver, now: number): LockDecision {
  if (!current) return { kind: "take", takeover: false };
  return observer.age(current, now) >= current.ttlMs ? { kind: "take", takeover: true } : { kind: "wait" };
}

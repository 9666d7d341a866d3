// The cross-replica refresh lock, as a compare-and-swap on the tokens Secret (the service may not
// use Leases). To refresh a grant, a replica writes the annotation
// `bookingops.dev/refresh-lock.<grant hash>` = {holder, id, ttlMs, renewals} with the resourceVersion
// it read: of several replicas trying at once exactly one write succeeds, the rest get 409, re-read,
// see the lock and poll the Secret until the holder has written the new tokens (and removed the
// lock), then reuse them. A lock is taken over only once it went unchanged for `ttlMs` as measured
// on the observer's own clock from when it first saw it (client-go's leader election does the same),
// so no pod's clock is compared with another's. The holder starts its clock before its lock write
// lands, so its view of the lock ends first: its Zoom call is aborted before anyone may take over.
import type { V1OwnerReference } from "@kubernetes/client-node";
import type { StoredGrant } from "../../common/tenant/token-secret.ts";
import { type Backoff, retry } from "../../common/retry.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import {
  CONFLICT_BACKOFF,
  copyDraft,
  type RefreshLock,
  type TokenSecretStore,
  type TokensSnapshot,
  WriteConflict,
} from "./token-secret-store.ts";

export interface LockOptions {
  readonly store: TokenSecretStore;
  readonly holder: string;
  readonly now: () => number;
  readonly random: (n: number) => Buffer;
  readonly sleep: (ms: number) => Promise<void>;
  /** Longer than one refresh at Zoom can take (its overall deadline) by a margin, so a live holder never loses the lock. */
  readonly lockTtlMs: number;
  readonly waitTimeoutMs: number;
  readonly pollMs: number;
  readonly onWait: () => void;
  /** A lock left by another holder (crashed, or cut off) was taken over: `previous` is that lock. */
  readonly onTakeover: (previous: RefreshLock) => void;
  readonly observed: LockObservations;
}

/** When this process first saw each version of each lock: expiry on our own clock only. */
export class LockObservations {
  readonly #seen = new Map<string, { version: string; at: number }>();

  /** How long (ms, our clock) this exact version of the lock has been seen unchanged. */
  age(key: string, lock: RefreshLock, now: number): number {
    const version = `${lock.holder}/${lock.id}/${lock.renewals}`;
    const seen = this.#seen.get(key);
    if (seen?.version === version) return now - seen.at;
    this.#seen.set(key, { version, at: now });
    return 0;
  }
}

export type LockResult =
  | { readonly kind: "missing" }
  /** Nothing to do: the stored grant no longer needs a refresh (someone else refreshed), or is not Connected. */
  | { readonly kind: "current"; readonly grant: StoredGrant }
  | {
      readonly kind: "held";
      readonly grant: StoredGrant;
      readonly lock: RefreshLock;
      readonly snapshot: TokensSnapshot;
      readonly owner: V1OwnerReference | undefined;
      /** Our clock just before the lock write was sent: the lock is ours until acquiredAt + ttlMs at least. */
      readonly acquiredAt: number;
    };

/** Waits until the grant needs no refresh, or until this replica holds its lock. */
export async function acquireRefreshLock(o: LockOptions, key: string, need: (g: StoredGrant) => boolean): Promise<LockResult> {
  const deadline = o.now() + o.waitTimeoutMs;
  let waited = false;
  for (;;) {
    const snapshot = await o.store.read();
    const grant = snapshot.grants.get(key);
    if (!grant) return { kind: "missing" };
    if (grant.state !== "Connected" || !need(grant)) return { kind: "current", grant };
    const other = snapshot.locks.get(key);
    if (o.now() >= deadline) {
      throw new ServiceError(ErrorCode.ZoomUnavailable, "a token refresh by another replica did not finish in time", {
        retryAfterSeconds: 5,
      });
    }
    if (other && o.observed.age(key, other, o.now()) < other.ttlMs) {
      if (!waited) o.onWait();
      waited = true;
      await o.sleep(o.pollMs + Math.floor(Math.random() * o.pollMs));
      continue;
    }
    const lock: RefreshLock = { holder: o.holder, id: o.random(9).toString("base64url"), ttlMs: o.lockTtlMs, renewals: 0 };
    const draft = copyDraft(snapshot);
    draft.locks.set(key, lock);
    const acquiredAt = o.now();
    try {
      const locked = await o.store.write(snapshot, draft);
      if (other) o.onTakeover(other);
      return { kind: "held", grant, lock, snapshot: locked, owner: snapshot.owner, acquiredAt };
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
}

export interface LockLease {
  /** Aborted when the lock is seen taken by another replica: stop the Zoom call. */
  readonly lost: AbortSignal;
  /** Stops renewing (waits for a renewal in flight). */
  stop(): Promise<void>;
}

/**
 * Renews a held lock every third of its ttl until stopped, so a holder that is still storing the
 * new tokens (API server slow or failing) keeps it. A renewal that fails is retried at the next
 * tick; one that finds the lock gone or someone else's aborts `lost`.
 */
export function keepLock(o: LockOptions, key: string, held: Extract<LockResult, { kind: "held" }>): LockLease {
  const lost = new AbortController();
  let stopped = false;
  let wake: () => void = () => undefined;
  const stopping = new Promise<void>((r) => {
    wake = r;
  });
  const renew = async (renewals: number) => {
    const { result } = await o.store.update((draft) => {
      const current = draft.locks.get(key);
      if (current?.id !== held.lock.id) return false;
      draft.locks.set(key, { ...current, renewals });
      return true;
    });
    return result;
  };
  const loop = (async () => {
    for (let renewals = 1; !stopped; renewals++) {
      await Promise.race([o.sleep(Math.floor(o.lockTtlMs / 3)), stopping]);
      if (stopped) return;
      const ours = await renew(renewals).catch(() => true); // NB: an API failure: the next tick tries again
      if (!ours) {
        lost.abort(new Error("the refresh lock was taken over"));
        return;
      }
    }
  })();
  return {
    lost: lost.signal,
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}

/** Kubernetes API failures while the new tokens wait to be stored: seconds apart, for a while. */
const API_BACKOFF: Backoff = { baseMs: 1000, maxMs: 5000 };

/**
 * Stores the refresh's outcome and releases the lock, retrying conflicts and (for a while) API
 * failures: NB the new refresh token exists only in this process's memory until it is written.
 * The outcome is written only over the grant that was refreshed (same refresh token), never over a
 * newer connection or a disconnect. Returns the grant now stored; rethrows an error outcome.
 */
export async function settleRefresh(
  o: LockOptions,
  key: string,
  held: Extract<LockResult, { kind: "held" }>,
  outcome: StoredGrant | Error,
): Promise<StoredGrant | undefined> {
  let snapshot = held.snapshot;
  let readFailure: unknown;
  const reread = async () => {
    try {
      snapshot = await readRetrying(o);
    } catch (error) {
      readFailure = error;
      throw error;
    }
  };
  return retry(
    async (attempt) => {
      if (attempt > 1) await reread();
      return writeOutcome(o, key, held, outcome, snapshot);
    },
    {
      attempts: 30,
      // NB: a failed re-read had its own retries; an error outcome is rethrown once the lock is released.
      retryable: (error) => error !== outcome && error !== readFailure,
      backoffFor: ({ error }) => (error instanceof WriteConflict ? CONFLICT_BACKOFF : API_BACKOFF),
      sleep: o.sleep,
      ...API_BACKOFF,
    },
  );
}

/** One write of the outcome over `snapshot`, releasing our lock; throws an error outcome after it. */
async function writeOutcome(
  o: LockOptions,
  key: string,
  held: Extract<LockResult, { kind: "held" }>,
  outcome: StoredGrant | Error,
  snapshot: TokensSnapshot,
): Promise<StoredGrant | undefined> {
  const draft = copyDraft(snapshot);
  if (draft.locks.get(key)?.id === held.lock.id) draft.locks.delete(key);
  const current = draft.grants.get(key);
  const ours = current?.refreshToken === held.grant.refreshToken;
  if (ours && !(outcome instanceof Error)) draft.grants.set(key, outcome);
  await o.store.write(snapshot, draft);
  if (outcome instanceof Error) throw outcome;
  return ours ? outcome : current;
}

function readRetrying(o: LockOptions): Promise<TokensSnapshot> {
  return retry(() => o.store.read(), { attempts: 10, retryable: () => true, sleep: o.sleep, ...API_BACKOFF });
}

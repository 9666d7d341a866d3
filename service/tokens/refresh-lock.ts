// The cross-replica refresh lock, as a compare-and-swap on the tokens Secret (the service may not
// use Leases). To refresh a grant, a replica writes the annotation
// `bookingops.dev/refresh-lock.<grant hash>` = {holder, id, until} with the resourceVersion it read:
// of several replicas trying at once exactly one write succeeds, the rest get 409, re-read, see the
// lock and poll the Secret until the holder has written the new tokens (and removed the lock), then
// reuse them. `until` lets a replica take over the lock of a holder that crashed.
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
  /** Longer than one refresh at Zoom can take (its timeout), so a live holder never loses the lock. */
  readonly lockTtlMs: number;
  readonly waitTimeoutMs: number;
  readonly pollMs: number;
  readonly onWait: () => void;
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
    if (other && other.until > o.now()) {
      if (!waited) o.onWait();
      waited = true;
      await o.sleep(o.pollMs + Math.floor(Math.random() * o.pollMs));
      continue;
    }
    const lock: RefreshLock = { holder: o.holder, id: o.random(9).toString("base64url"), until: o.now() + o.lockTtlMs };
    const draft = copyDraft(snapshot);
    draft.locks.set(key, lock);
    try {
      const locked = await o.store.write(snapshot, draft);
      return { kind: "held", grant, lock, snapshot: locked, owner: snapshot.owner };
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
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

// The token lifecycle behind `AccessTokens`: cached access tokens, refresh shortly before expiry,
// after a 124 and daily for idle grants, with at most one refresh per grant at any moment across
// all replicas. NB: Zoom rotates refresh tokens with no grace period: a second concurrent refresh
// with the same token kills the grant (ZOOM.md). The cross-replica lock is a compare-and-swap on
// the tokens Secret (see refresh-lock.ts); inside one process, callers share one flight per grant.
import { randomBytes } from "node:crypto";
import type { Logger } from "../../common/logger.ts";
import { grantKey, type StoredGrant } from "../../common/tenant/token-secret.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import { EventReason, type EventRecorder } from "../kube/event-recorder.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { ZoomOAuthError, type ZoomOAuthClient } from "../zoom/zoom-oauth-client.ts";
import type { AccessGrant, AccessTokens } from "./access-tokens.ts";
import { acquireRefreshLock, keepLock, LockObservations, settleRefresh } from "./refresh-lock.ts";
import type { RefreshLock, TokenSecretStore } from "./token-secret-store.ts";

export interface TokenManagerProps {
  readonly store: TokenSecretStore;
  readonly zoom: ZoomOAuthClient;
  readonly events: EventRecorder;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly now: () => number;
  /** This replica's identity in the lock (the pod name). */
  readonly holder: string;
  readonly random?: (n: number) => Buffer;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Refresh when the access token expires within this (default 5 min). */
  readonly refreshMarginMs?: number;
  /** Refresh a grant nobody used for this long (default 24 h), so the refresh token never ages out. */
  readonly idleRefreshMs?: number;
  /** Re-read the Secret after this even when the cached token is valid (default 1 s): sees other replicas' changes. */
  readonly cacheMaxAgeMs?: number;
  /** The hard overall deadline of one refresh call to Zoom, from the lock's acquisition (default 10 s). */
  readonly refreshDeadlineMs?: number;
  /** How much longer the lock lives than the deadline (default 5 s). */
  readonly lockMarginMs?: number;
  readonly waitTimeoutMs?: number;
  readonly pollMs?: number;
  /** Tells the booking app (service/events) that a connection needs reauthorization. */
  readonly onConnectionChange?: (grant: StoredGrant) => Promise<void>;
}

export interface TokenManager extends AccessTokens {
  /** Refreshes every Connected grant idle for `idleRefreshMs`; returns how many were refreshed. */
  refreshIdleGrants(): Promise<number>;
  /** The stored grant was changed by this replica (connect, disconnect): update or drop the cache. */
  remember(organizationId: string, grant: StoredGrant | undefined): void;
}

type Need = (grant: StoredGrant) => boolean;

export function usableGrant(grant: StoredGrant): AccessGrant {
  if (grant.state === "ReauthorizationRequired") {
    throw new ServiceError(ErrorCode.ReauthorizationRequired, "the Zoom connection must be authorized again by a Zoom admin", {
      details: { organizationId: grant.organizationId },
    });
  }
  if (grant.state === "MissingScopes") {
    throw new ServiceError(ErrorCode.MissingScopes, "the Zoom app did not grant every required scope", {
      details: { missingScopes: grant.missingScopes ?? [] },
    });
  }
  return { accessToken: grant.accessToken, apiUrl: grant.apiUrl, accountId: grant.accountId, userId: grant.userId, scopes: grant.scopes };
}

/** The refresh's outcome as a metric label (closed set, see metrics.ts). */
function refreshResult(outcome: StoredGrant | Error, signal: AbortSignal, storeError?: unknown): string {
  if (storeError !== undefined && storeError !== outcome && !(outcome instanceof Error)) return "not_stored";
  if (!(outcome instanceof Error)) return outcome.state === "ReauthorizationRequired" ? "reauthorization_required" : "success";
  return signal.aborted ? "timeout" : "failed";
}

export function createTokenManager(props: TokenManagerProps): TokenManager {
  const margin = props.refreshMarginMs ?? 5 * 60_000;
  const idle = props.idleRefreshMs ?? 24 * 60 * 60_000;
  const maxAge = props.cacheMaxAgeMs ?? 1000;
  const deadline = props.refreshDeadlineMs ?? 10_000;
  const cache = new Map<string, { grant: StoredGrant; readAt: number }>();
  const flights = new Map<string, Promise<StoredGrant>>();
  const lockOptions = {
    store: props.store,
    holder: props.holder,
    now: props.now,
    random: props.random ?? randomBytes,
    sleep: props.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    lockTtlMs: deadline + (props.lockMarginMs ?? 5000),
    waitTimeoutMs: props.waitTimeoutMs ?? 45_000,
    pollMs: props.pollMs ?? 100,
    onWait: () => props.metrics.refreshWaits.inc(),
    onTakeover: (previous: RefreshLock) => {
      props.metrics.refreshLockTakeovers.inc();
      // NB: if Zoom had answered that holder before it died, the refresh token it held is rotated and
      // this refresh is refused (invalid_grant): the log says which replica to look at.
      props.log.warn(
        { previousHolder: previous.holder },
        "took over the token refresh lock left by another replica (it died or was cut off)",
      );
    },
    observed: new LockObservations(),
  };
  const expiresSoon: Need = (g) => Date.parse(g.accessTokenExpiresAt) - margin <= props.now();
  const idleDue: Need = (g) => Date.parse(g.lastRefreshAt ?? g.connectedAt) + idle <= props.now();

  function remember(org: string, grant: StoredGrant | undefined) {
    if (grant) cache.set(org, { grant, readAt: props.now() });
    else cache.delete(org);
  }

  /** One flight per grant in this process; a caller whose need the finished flight did not meet starts the next. */
  async function ensure(org: string, need: Need): Promise<StoredGrant> {
    const running = flights.get(org);
    if (running) {
      const grant = await running;
      if (grant.state !== "Connected" || !need(grant)) return grant;
    }
    let flight = flights.get(org);
    if (!flight) {
      const started = refreshLocked(org, need).finally(() => {
        if (flights.get(org) === started) flights.delete(org);
      });
      flights.set(org, started);
      flight = started;
    }
    return flight;
  }

  async function refreshLocked(org: string, need: Need): Promise<StoredGrant> {
    const held = await acquireRefreshLock(lockOptions, grantKey(org), need);
    if (held.kind === "missing") {
      remember(org, undefined);
      throw new ServiceError(ErrorCode.ConnectionMissing, "this organization has not connected Zoom", { details: { organizationId: org } });
    }
    if (held.kind === "current") {
      remember(org, held.grant);
      return held.grant;
    }
    const lease = keepLock(lockOptions, grantKey(org), held);
    // NB: one overall deadline for the whole call (connect, headers, body), counted from before the
    // lock write: it ends before any other replica can see the lock expire.
    const signal = AbortSignal.any([AbortSignal.timeout(Math.max(0, held.acquiredAt + deadline - props.now())), lease.lost]);
    const outcome = await refreshAtZoom(held.grant, signal);
    const answeredAt = performance.now();
    let saved: StoredGrant | undefined;
    try {
      saved = await settleRefresh(lockOptions, grantKey(org), held, outcome);
    } catch (error) {
      const result = refreshResult(outcome, signal, error);
      props.metrics.refreshes.inc({ result });
      if (result === "not_stored")
        props.log.error({ organizationId: org, err: error }, "refreshed tokens could not be stored: the grant is lost");
      throw error;
    } finally {
      await lease.stop();
    }
    props.metrics.refreshPersistSeconds.observe((performance.now() - answeredAt) / 1000);
    props.metrics.refreshes.inc({ result: saved === outcome ? refreshResult(outcome, signal) : "superseded" });
    remember(org, saved);
    if (!saved) throw new ServiceError(ErrorCode.ConnectionMissing, "the connection was removed during a token refresh");
    if (saved === outcome && outcome.state === "ReauthorizationRequired") await reportReauthorization(held.owner, outcome);
    return saved;
  }

  /** The refreshed grant, the grant marked ReauthorizationRequired, or the error (the lock is released by the caller's settle). */
  async function refreshAtZoom(grant: StoredGrant, signal: AbortSignal): Promise<StoredGrant | Error> {
    const at = new Date(props.now()).toISOString();
    try {
      const tokens = await props.zoom.refresh(grant.refreshToken, signal);
      return {
        ...grant,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accessTokenExpiresAt: new Date(props.now() + tokens.expiresInSeconds * 1000).toISOString(),
        scopes: tokens.scopes.length > 0 ? tokens.scopes : grant.scopes,
        apiUrl: tokens.apiUrl,
        lastRefreshAt: at,
      };
    } catch (error) {
      if (!(error instanceof ZoomOAuthError && error.requiresReauthorization)) {
        return error instanceof Error ? error : new Error(String(error));
      }
      const code = error.zoomCode === undefined ? "" : ` (${error.zoomCode})`;
      return {
        ...grant,
        state: "ReauthorizationRequired",
        reason: `Zoom refused the token refresh: ${error.error}${code}`,
        lastRefreshAt: at,
      };
    }
  }

  async function reportReauthorization(owner: Parameters<EventRecorder["record"]>[0], grant: StoredGrant) {
    props.metrics.reauthorizationRequired.inc();
    props.log.warn(
      { organizationId: grant.organizationId, accountId: grant.accountId, reason: grant.reason },
      "Zoom connection needs reauthorization",
    );
    await props.onConnectionChange?.(grant);
    await props.events.record(
      owner,
      "Warning",
      EventReason.ReauthorizationRequired,
      `The Zoom connection of organization ${grant.organizationId} (account ${grant.accountId}) must be authorized again: ${grant.reason ?? "invalid grant"}.`,
    );
  }

  return {
    async get(org) {
      const cached = cache.get(org);
      // NB: a permanent error is never answered from the cache: another replica may have reconnected.
      if (cached && props.now() - cached.readAt < maxAge && cached.grant.state === "Connected" && !expiresSoon(cached.grant)) {
        return usableGrant(cached.grant);
      }
      return usableGrant(await ensure(org, expiresSoon));
    },
    async refreshAfterRejection(org, rejected) {
      return usableGrant(await ensure(org, (g) => g.accessToken === rejected || expiresSoon(g)));
    },
    async refreshIdleGrants() {
      const snapshot = await props.store.read();
      const due = [...snapshot.grants.values()].filter((g) => g.state === "Connected" && idleDue(g));
      for (const g of due)
        await ensure(g.organizationId, idleDue).catch((error) =>
          props.log.warn({ organizationId: g.organizationId, err: error }, "idle refresh failed"),
        );
      return due.length;
    },
    remember,
  };
}

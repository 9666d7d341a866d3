// Delivers recorded events to the organizations' endpoints: at least once, in order per
// organization (so per meeting), by the delivery lock's holder only (delivery-lock.ts). Each
// organization is delivered on its own (a slow or failing endpoint waits in its own backoff and
// never holds up another); a failed attempt backs off exponentially with jitter up to `maxBackoffMs`
// and is retried for as long as the event is retained (72 h). A crash between a POST and its
// acknowledgement being written means that event is sent again, with the same id.
import { EVENT_SHARDS } from "../../common/tenant/event-shards.ts";
import { type Backoff as RetryBackoff, backoffDelay, sleep } from "../../common/retry.ts";
import type { Logger } from "../../common/logger.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { decide, type DeliveryLock, LOCK_ANNOTATION, LockObserver, parseLock } from "./delivery-lock.ts";
import type { EndpointStore } from "./endpoint-store.ts";
import { type EventLog, logsOf } from "./event-log.ts";
import { acknowledge, type OrgLog, undelivered } from "./org-log.ts";
import type { ShardMap, ShardStore } from "./shard-store.ts";
import { type PostResult, postEvent } from "./webhook-post.ts";
import type { Dispatcher } from "undici";

export interface DeliveryProps {
  readonly shards: ShardStore;
  readonly events: EventLog;
  readonly endpoints: EndpointStore;
  /** The CloudEvents `source` of this tenant. */
  readonly source: string;
  readonly holder: string;
  readonly now: () => number;
  readonly random: (n: number) => Buffer;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly dispatcher?: Dispatcher;
  readonly lockTtlMs: number;
  /** How often the holder looks for events recorded by other replicas. */
  readonly pollMs: number;
  /** One POST's overall deadline. */
  readonly timeoutMs: number;
  readonly backoff: RetryBackoff;
}

/** Events sent per acknowledgement write: a crash resends at most this many. */
const BATCH = 100;
/** How often a failing organization's state is written to its log (what GET .../events/endpoint shows). */
const PERSIST_FAILURES_MS = 60_000;

/** What the scan reads of an organization's log: whether it is due, and whether it is failing. */
type LogSummary = Pick<OrgLog, "organizationId" | "nextSeq" | "acked" | "delivery">;

interface Backoff {
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly failingSince: number;
  readonly lastError: string;
  readonly persistedAt: number;
}

export function createDelivery(p: DeliveryProps) {
  const observer = new LockObserver();
  const inFlight = new Set<string>();
  /** Organizations whose delivery should look again once its current run ends. */
  const again = new Set<string>();
  /** Organizations this replica recorded events for since the last pass. */
  const hints = new Set<string>();
  /** The backoff of failing organizations this replica delivers to. */
  const failures = new Map<string, Backoff>();
  let held: { lock: DeliveryLock; until: number; renewedAt: number } | undefined;
  const scanned = new Map<number, { version: string; logs: readonly LogSummary[] }>();
  let stopped = true;
  let wake: () => void = () => undefined;
  let loop: Promise<void> | undefined;

  /** Takes, renews or keeps waiting for the lock; true while this replica holds it. */
  async function holdLock(): Promise<boolean> {
    const now = p.now();
    if (held && now < held.until && now - held.renewedAt < p.lockTtlMs / 3) return true;
    const before = p.now();
    const outcome = await p.shards.update(0, (map) => {
      const annotations = { ...map?.metadata.annotations };
      const current = parseLock(annotations[LOCK_ANNOTATION]);
      let next: DeliveryLock;
      let takeover = false;
      if (held && current?.id === held.lock.id) next = { ...current, renewals: current.renewals + 1 };
      else {
        const decision = decide(current, observer, before);
        if (decision.kind === "wait") return { result: undefined };
        takeover = decision.takeover;
        next = { holder: p.holder, id: p.random(9).toString("base64url"), ttlMs: p.lockTtlMs, renewals: 0 };
      }
      annotations[LOCK_ANNOTATION] = JSON.stringify(next);
      return { result: { lock: next, takeover }, annotations };
    });
    if (!outcome) {
      if (held) p.log.warn({ holder: p.holder }, "event delivery lock lost to another replica");
      held = undefined;
      return false;
    }
    if (outcome.takeover) p.metrics.eventLockTakeovers.inc();
    if (!held) p.log.info({ holder: p.holder }, "event delivery lock acquired");
    held = { lock: outcome.lock, until: before + p.lockTtlMs, renewedAt: before };
    return true;
  }

  /** Time left in our hold: a POST starts only if it can finish inside it. */
  const holding = (needMs: number) => held !== undefined && p.now() + needMs < held.until;

  /** Delivers the organization's events unless that is under way (then that run looks again when done). */
  function start(organizationId: string): void {
    if (inFlight.has(organizationId)) {
      again.add(organizationId);
      return;
    }
    inFlight.add(organizationId);
    void deliverOrganization(organizationId)
      .catch((err) => p.log.warn({ err, organizationId }, "event delivery pass failed"))
      .finally(() => {
        inFlight.delete(organizationId);
        if (again.delete(organizationId)) start(organizationId);
      });
  }

  /** Starts the organizations this replica just recorded events for, and (`scan`) every due one. */
  async function pass(scan: boolean): Promise<void> {
    if (!(await holdLock())) return;
    const hinted = [...hints];
    hints.clear();
    for (const org of hinted) start(org);
    if (!scan) return;
    const maps = await Promise.all(Array.from({ length: EVENT_SHARDS }, (_, shard) => p.shards.read(shard, true)));
    let failing = 0;
    for (const log of maps.flatMap((map, shard) => summariesOf(shard, map))) {
      if (log.delivery.failingSince !== undefined) failing++;
      if (due(log, p.now())) start(log.organizationId);
    }
    p.metrics.eventEndpointsFailing.set(failing);
  }

  /**
   * The shard's organizations as the scan needs them, parsed again only when the shard changed.
   * NB: without this the delivering replica parsed every retained event of every shard each poll
   * (2 s), however long a backlog waits for a failing endpoint; only the counters are kept.
   */
  function summariesOf(shard: number, map: ShardMap | undefined): readonly LogSummary[] {
    const version = map?.metadata.resourceVersion;
    const known = scanned.get(shard);
    if (version !== undefined && known?.version === version) return known.logs;
    const logs = [...logsOf(map).values()].map(({ organizationId, nextSeq, acked, delivery }) => ({
      organizationId,
      nextSeq,
      acked,
      delivery,
    }));
    if (version === undefined) scanned.delete(shard);
    else scanned.set(shard, { version, logs });
    return logs;
  }

  /** Sends the organization's undelivered events in order until none are left, one fails, or the hold ends. */
  async function deliverOrganization(organizationId: string): Promise<void> {
    for (;;) {
      const log = await p.events.read(organizationId);
      if (!log || !due(log, p.now()) || !holding(p.timeoutMs)) return;
      const endpoint = await p.endpoints.forDelivery(organizationId);
      const pending = undelivered(log).slice(0, BATCH);
      // NB: nothing left to send but not acknowledged (cannot happen by the log's rules): settle it, never spin
      let lastOk = pending.length === 0 ? log.nextSeq - 1 : log.acked;
      let failure: Extract<PostResult, { ok: false }> | undefined;
      for (const event of pending) {
        if (endpoint && (endpoint.types === null || endpoint.types.includes(event.type))) {
          if (!holding(p.timeoutMs)) break;
          const result = await postEvent({ ...p, endpoint, event });
          p.metrics.eventDeliveries.inc({ result: result.ok ? "delivered" : "failed" });
          if (!result.ok) {
            failure = result;
            break;
          }
          p.metrics.eventDeliverySeconds.observe((p.now() - event.at) / 1000);
        }
        lastOk = event.seq;
      }
      if (!failure) failures.delete(organizationId);
      const backoff = failure ? fail(organizationId, log, failure.error) : undefined;
      if (lastOk > log.acked || backoff?.persist)
        await p.events.change(organizationId, (current) => ({ log: settle(current, lastOk, backoff), result: undefined }));
      if (failure) {
        p.log.warn({ organizationId, error: failure.error }, "event delivery failed; backing off");
        return;
      }
    }
  }

  /**
   * A failed attempt: the backoff lives in memory; the log (what the API reports) is written on the
   * first failure of a run and then at most once a minute. NB: every write of the log rewrites the
   * organization's backlog, which a failing endpoint makes large: one write per retry would compete
   * with the webhooks' appends. A new holder starts the backoff again at its first step.
   */
  function fail(organizationId: string, log: OrgLog, error: string): Backoff & { persist: boolean } {
    const previous = failures.get(organizationId);
    const attempts = (previous?.attempts ?? log.delivery.attempts) + 1;
    const now = p.now();
    const persist = log.delivery.failingSince === undefined || now - (previous?.persistedAt ?? 0) >= PERSIST_FAILURES_MS;
    const state: Backoff = {
      attempts,
      nextAttemptAt: now + backoffDelay(attempts, p.backoff),
      failingSince: previous?.failingSince ?? log.delivery.failingSince ?? now,
      lastError: error,
      persistedAt: persist ? now : (previous?.persistedAt ?? 0),
    };
    failures.set(organizationId, state);
    return { ...state, persist };
  }

  function settle(current: OrgLog, lastOk: number, backoff: Backoff | undefined): OrgLog {
    const next = lastOk > current.acked ? acknowledge(current, lastOk, p.now()) : current;
    if (!backoff) return next;
    const { attempts, nextAttemptAt, failingSince, lastError } = backoff;
    return { ...next, delivery: { ...next.delivery, attempts, nextAttemptAt, failingSince, lastError } };
  }

  /** Has undelivered events and is not backing off (the backoff in memory wins over the stored one). */
  function due(log: LogSummary, now: number): boolean {
    const nextAttemptAt = failures.get(log.organizationId)?.nextAttemptAt ?? log.delivery.nextAttemptAt;
    return log.nextSeq - 1 > log.acked && (nextAttemptAt === undefined || nextAttemptAt <= now);
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      let lastScan = Number.NEGATIVE_INFINITY;
      loop = (async () => {
        while (!stopped) {
          const scan = p.now() - lastScan >= p.pollMs;
          if (scan) lastScan = p.now();
          await pass(scan).catch((err) => p.log.warn({ err }, "event delivery pass failed"));
          await Promise.race([sleep(p.pollMs), new Promise<void>((r) => (wake = r))]);
        }
      })();
    },
    /** This replica just recorded events for the organization: deliver them now, not at the next poll. */
    wake(organizationId?: string): void {
      if (organizationId) hints.add(organizationId);
      wake();
    },
    /** Stops looking; deliveries in flight finish (their acknowledgements are written). */
    async stop(): Promise<void> {
      stopped = true;
      wake();
      await loop;
      while (inFlight.size > 0) await sleep(20);
    },
    holds: () => held !== undefined && p.now() < held.until,
  };
}

export type Delivery = ReturnType<typeof createDelivery>;

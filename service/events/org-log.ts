// An organization's event log as one JSON value in its shard ConfigMap, and the pure changes made
// to it: append (de-duplicated by event id), acknowledge, record a failed attempt, expire, purge.
// Everything here is a function of its inputs (clock included), so the store only reads, applies
// and compare-and-swaps.
import { createHash } from "node:crypto";
import type { NewEvent, RecordedEvent } from "./event-types.ts";

/** Undelivered events are kept (and retried) this long. */
export const RETENTION_MS = 72 * 3_600_000;
/**
 * Delivered events stay this long for the pull API (catching up, or polling without an endpoint:
 * with no endpoint an event counts as delivered at once). NB: shorter than RETENTION_MS because a
 * busy organization's delivered events would otherwise fill its shard (every write rewrites it).
 */
export const DELIVERED_RETENTION_MS = 24 * 3_600_000;
/**
 * And at most this many of them per organization. NB: an organization's events are one value, so
 * every write rewrites them all (~450 bytes each): without a cap a busy organization's day of
 * delivered events would make each webhook's write hundreds of kB (measured: answers to Zoom past
 * its 3 s limit at ~1,000 retained events with two writers).
 */
export const MAX_DELIVERED_KEPT = 200;

export interface DeliveryState {
  /** Failed attempts in a row for the oldest undelivered event. */
  readonly attempts: number;
  /** Epoch ms: no attempt before this (backoff). */
  readonly nextAttemptAt?: number;
  /** Epoch ms of the first failure of the current run of failures. */
  readonly failingSince?: number;
  /** The last failure, in words (HTTP status or network error name; never a body). */
  readonly lastError?: string;
  readonly lastDeliveredAt?: number;
}

export interface OrgLog {
  readonly organizationId: string;
  /** The seq the next event gets (1 for the first). Never goes back, so cursors stay valid. */
  readonly nextSeq: number;
  /** Every event up to this seq was delivered (or had nothing to be delivered to). */
  readonly acked: number;
  readonly events: readonly RecordedEvent[];
  readonly delivery: DeliveryState;
}

export const ORG_KEY_PREFIX = "org.";

export function orgKey(organizationId: string): string {
  return `${ORG_KEY_PREFIX}${createHash("sha256").update(organizationId).digest("hex").slice(0, 32)}`;
}

export function emptyLog(organizationId: string): OrgLog {
  return { organizationId, nextSeq: 1, acked: 0, events: [], delivery: { attempts: 0 } };
}

/** Appends events not recorded yet (same id = a Zoom retry of a delivery we already recorded). */
export function appendEvents(log: OrgLog, events: readonly NewEvent[], now: number): OrgLog {
  const known = new Set(log.events.map((e) => e.id));
  let nextSeq = log.nextSeq;
  const added: RecordedEvent[] = [];
  for (const e of events) {
    if (known.has(e.id)) continue;
    known.add(e.id);
    added.push({ ...e, seq: nextSeq++, at: now });
  }
  return added.length === 0 ? log : { ...log, nextSeq, events: [...log.events, ...added] };
}

/** Drops events past retention: returns the log and how many undelivered events were dropped. */
export function expireEvents(log: OrgLog, now: number): { log: OrgLog; undeliveredDropped: number } {
  const delivered = log.events.filter((e) => e.seq <= log.acked);
  const keptFrom = delivered[delivered.length - MAX_DELIVERED_KEPT]?.seq ?? 0;
  const expired = (e: RecordedEvent) =>
    e.seq <= log.acked ? e.seq < keptFrom || e.at + DELIVERED_RETENTION_MS <= now : e.at + RETENTION_MS <= now;
  const keep = log.events.filter((e) => !expired(e));
  if (keep.length === log.events.length) return { log, undeliveredDropped: 0 };
  const dropped = log.events.filter(expired);
  const undeliveredDropped = dropped.filter((e) => e.seq > log.acked).length;
  const acked = Math.max(log.acked, ...dropped.map((e) => e.seq));
  return { log: { ...log, events: keep, acked }, undeliveredDropped };
}

/** Drops the oldest `count` delivered events (to make room in a full shard). */
export function dropDelivered(log: OrgLog, count: number): OrgLog {
  let dropped = 0;
  const events = log.events.filter((e) => !(e.seq <= log.acked && dropped++ < count));
  return { ...log, events };
}

export function undelivered(log: OrgLog): RecordedEvent[] {
  return log.events.filter((e) => e.seq > log.acked);
}

/** Delivered up to `seq`: the failure run (if any) is over. */
export function acknowledge(log: OrgLog, seq: number, now: number): OrgLog {
  if (seq <= log.acked) return log;
  return { ...log, acked: seq, delivery: { attempts: 0, lastDeliveredAt: now } };
}

/**
 * Deauthorization: every event of the organization goes (they carry the account's Zoom data), only
 * the counters stay so cursors remain valid; the caller appends the deauthorized event.
 */
export function purgeEvents(log: OrgLog): OrgLog {
  return { ...log, events: [], acked: log.nextSeq - 1, delivery: { attempts: 0 } };
}

/** Events after `after` (a seq), oldest first, at most `limit`; `truncated` when some were dropped since. */
export function eventsAfter(log: OrgLog, after: number, limit: number): { events: RecordedEvent[]; truncated: boolean } {
  const newer = log.events.filter((e) => e.seq > after);
  const first = newer[0]?.seq ?? log.nextSeq;
  return { events: newer.slice(0, limit), truncated: first > after + 1 };
}

export function parseOrgLog(value: string | undefined): OrgLog | undefined {
  if (!value) return undefined;
  try {
    const log = JSON.parse(value) as OrgLog;
    return typeof log.organizationId === "string" && Array.isArray(log.events) ? log : undefined;
  } catch {
    return undefined; // NB: a value edited by hand: treated as absent, never a crash
  }
}

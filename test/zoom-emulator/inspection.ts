import { timeLimitMinutes } from "./hosts.ts";
import type { DeleteOptions, GrantEnd, MeetingStatus, PasswordSource, ReusedRefreshToken, Store, TokenRequest } from "./store.ts";
import type { Delivery, Webhooks } from "./webhooks.ts";
import { formatUtc } from "./zoom-time.ts";

export interface GrantSummary {
  readonly id: string;
  readonly clientId: string;
  readonly accountId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly ended: GrantEnd | undefined;
}

export interface MeetingSummary {
  readonly id: string;
  readonly hostId: string;
  readonly topic: string;
  /** UTC, `Z`: what the meeting's wall-clock time resolved to. */
  readonly startTime: string;
  readonly timezone: string;
  readonly duration: number;
  readonly status: MeetingStatus;
  readonly deleted: boolean;
  readonly type: number;
  /** 40 when the host is a basic (type 1) user: Zoom ends such a meeting after 40 minutes with 3+ people. */
  readonly timeLimitMinutes: number | undefined;
  readonly passwordSource: PasswordSource;
  /** Zoom turned the waiting room on because no passcode, waiting room or authentication secured it. */
  readonly waitingRoomForced: boolean;
  readonly alternativeHosts: string;
  readonly occurrences: readonly OccurrenceSummary[];
  /** What the last DELETE asked (`schedule_for_reminder`, `cancel_meeting_reminder`); undefined when nothing was sent. */
  readonly deleteOptions: DeleteOptions | undefined;
}

export interface OccurrenceSummary {
  readonly occurrenceId: string;
  readonly startTime: string;
  readonly duration: number;
  readonly status: "available" | "deleted";
}

/** A snapshot for assertions: copies, so later requests do not change what a test holds. */
export interface Inspection {
  readonly grants: readonly GrantSummary[];
  /** Refresh attempts per grant id, failed ones included. */
  readonly refreshCalls: Readonly<Record<string, number>>;
  /** Every presentation of an already-rotated refresh token. */
  readonly reusedRefreshTokens: readonly ReusedRefreshToken[];
  /** Live (not deleted) meetings per host user id. */
  readonly meetingsPerUser: Readonly<Record<string, number>>;
  readonly meetings: readonly MeetingSummary[];
  /** Requests per route key (`"POST /oauth/token"`), `"unmatched"` for the rest. */
  readonly requestsPerRoute: Readonly<Record<string, number>>;
  readonly webhookDeliveries: readonly Delivery[];
  /** Every request to `POST /oauth/token`, in arrival order, timed on the wall clock. */
  readonly tokenRequests: readonly Readonly<TokenRequest>[];
  /**
   * Pairs of refresh requests for one grant that Zoom handled while the other was in flight (arrived,
   * not yet answered or closed): the double refresh rotation makes fatal. Abandoned requests never count.
   */
  readonly overlappingRefreshes: number;
}

/** Handled refreshes of one grant whose [arrivedAt, endedAt] overlap another's. */
export function overlappingRefreshes(requests: readonly Readonly<TokenRequest>[]): number {
  const handled = requests.filter((r) => r.grantType === "refresh_token" && r.grantId !== undefined && r.handledAt !== undefined);
  let pairs = 0;
  for (const [i, a] of handled.entries()) {
    for (const b of handled.slice(i + 1)) {
      const aEnd = a.endedAt ?? Number.POSITIVE_INFINITY;
      if (a.grantId === b.grantId && b.arrivedAt < aEnd && a.arrivedAt < (b.endedAt ?? Number.POSITIVE_INFINITY)) pairs++;
    }
  }
  return pairs;
}

export function inspect(store: Store, webhooks: Webhooks): Inspection {
  const meetings = [...store.meetings.values()].map((m) => ({
    id: m.id,
    hostId: m.hostId,
    topic: m.topic,
    startTime: formatUtc(m.startTime),
    timezone: m.timezone,
    duration: m.duration,
    status: m.status,
    deleted: m.deleted,
    type: m.type,
    timeLimitMinutes: timeLimitMinutes(store.users.get(m.hostId)),
    passwordSource: m.passwordSource,
    waitingRoomForced: m.waitingRoomForced,
    alternativeHosts: typeof m.settings.alternative_hosts === "string" ? m.settings.alternative_hosts : "",
    occurrences: m.occurrences.map((o) => ({
      occurrenceId: o.occurrenceId,
      startTime: formatUtc(o.startTime),
      duration: o.duration,
      status: o.status,
    })),
    deleteOptions: m.deleteOptions,
  }));
  const meetingsPerUser: Record<string, number> = {};
  for (const m of meetings) if (!m.deleted) meetingsPerUser[m.hostId] = (meetingsPerUser[m.hostId] ?? 0) + 1;
  return {
    grants: [...store.grants.values()].map((g) => ({
      id: g.id,
      clientId: g.clientId,
      accountId: g.accountId,
      userId: g.userId,
      scopes: [...g.scopes],
      ended: g.ended,
    })),
    refreshCalls: Object.fromEntries(store.refreshCalls),
    reusedRefreshTokens: [...store.reusedRefreshTokens],
    meetingsPerUser,
    meetings,
    requestsPerRoute: Object.fromEntries(store.requestsPerRoute),
    webhookDeliveries: [...webhooks.deliveries],
    tokenRequests: store.tokenRequests.map((r) => ({ ...r })),
    overlappingRefreshes: overlappingRefreshes(store.tokenRequests),
  };
}

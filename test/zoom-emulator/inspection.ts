import type { GrantEnd, MeetingStatus, ReusedRefreshToken, Store } from "./store.ts";
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
  };
}

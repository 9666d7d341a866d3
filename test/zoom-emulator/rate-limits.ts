import { jsonReply, type Reply } from "./http-core.ts";
import { formatUtc, nextUtcMidnight } from "./zoom-time.ts";

/** Zoom's rate-limit categories; `heavy` exists but no emulated route uses it (ZOOM.md is unsure). */
export type RateCategory = "light" | "medium" | "heavy";
export type Plan = "pro" | "business";

/** Requests per second per account, shared by every app the account installed (ZOOM.md). */
export const PER_SECOND_LIMITS: Readonly<Record<Plan, Readonly<Record<RateCategory, number>>>> = {
  pro: { light: 30, medium: 20, heavy: 10 },
  business: { light: 80, medium: 60, heavy: 40 },
};

export const DAILY_MEETING_WRITES = 100;

export const DAILY_LIMIT_MESSAGE =
  "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.";
export const PER_SECOND_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later.";

const CATEGORY_HEADER: Readonly<Record<RateCategory, string>> = { light: "Light", medium: "Medium", heavy: "Heavy" };

interface Window {
  key: number;
  count: number;
}

/** Fixed windows on the emulator clock: one per (account, category) second, one per (user) UTC day. */
export class RateLimiter {
  readonly #seconds = new Map<string, Window>();
  readonly #days = new Map<string, Window>();

  /** Counts one request; a 429 reply when the account's per-second budget is spent. */
  takePerSecond(accountId: string, plan: Plan, category: RateCategory, now: number): Reply | undefined {
    const limit = PER_SECOND_LIMITS[plan][category];
    const count = take(this.#seconds, `${accountId}|${category}`, Math.floor(now / 1000));
    if (count <= limit) return undefined;
    return jsonReply(
      429,
      { code: 429, message: PER_SECOND_MESSAGE },
      {
        "retry-after": "1",
        "x-ratelimit-category": CATEGORY_HEADER[category],
        "x-ratelimit-type": "QPS",
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": "0",
      },
    );
  }

  /** Counts one meeting create/update for a host; a 429 reply once 100 were made this UTC day. */
  takeDailyMeetingWrite(userId: string, now: number): Reply | undefined {
    const count = take(this.#days, userId, Math.floor(now / 86_400_000));
    if (count <= DAILY_MEETING_WRITES) return undefined;
    // NB: Retry-After is an ISO timestamp here, not seconds: clients must read both forms.
    return jsonReply(
      429,
      { code: 429, message: DAILY_LIMIT_MESSAGE },
      {
        "retry-after": formatUtc(nextUtcMidnight(now)),
        "x-ratelimit-category": "Medium",
        "x-ratelimit-type": "Daily-limit",
        "x-ratelimit-limit": String(DAILY_MEETING_WRITES),
        "x-ratelimit-remaining": "0",
      },
    );
  }

  /** Meeting creates/updates a host has left today. */
  dailyRemaining(userId: string, now: number): number {
    const window = this.#days.get(userId);
    const used = window && window.key === Math.floor(now / 86_400_000) ? window.count : 0;
    return Math.max(0, DAILY_MEETING_WRITES - used);
  }
}

function take(windows: Map<string, Window>, id: string, key: number): number {
  const window = windows.get(id);
  if (window && window.key === key) return ++window.count;
  windows.set(id, { key, count: 1 });
  return 1;
}

import { admit, resolveUser, scopeRefusal } from "./api-auth.ts";
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { type EmulatorRequest, isReply, type Reply, rawJsonReply } from "./http-core.ts";
import type { Meeting } from "./store.ts";
import { formatUtc, isTimeZone, zoneOffsetMs } from "./zoom-time.ts";

const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 300;
const PAGE_TOKEN_TTL_MS = 15 * 60_000;

/**
 * `GET /v2/users/{userId}/meetings?type=scheduled|upcoming&page_size=..&next_page_token=..&from=..&to=..&timezone=..`
 * (Zoom's "List meetings", medium). `upcoming`: not ended and not yet over. `from` / `to`
 * (yyyy-mm-dd, inclusive, read in `timezone`, default UTC) keep the items whose shown start falls
 * on those days. Items carry `id` as raw
 * int64 digits, like every meeting body. Scope reading: the meeting read scope (classic or granular).
 * A recurring series (type 8) is one item whose `start_time` is its next available occurrence
 * (NB: Zoom's list schema has no occurrences; a client wanting them all GETs the meeting).
 */
export function listMeetings(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admit(ctx, request, "medium");
  if (isReply(caller)) return caller;
  const host = resolveUser(ctx, caller, request.params.userId ?? "");
  if (isReply(host)) return host;
  const refusal = scopeRefusal(caller, "readMeeting", host.id);
  if (refusal) return refusal;
  const size = Math.min(Number(request.query.get("page_size") ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  if (!Number.isInteger(size) || size < 1) return API_ERRORS.badField("page_size", "Invalid page_size: use 1 to 300.");
  const offset = cursorOffset(ctx, caller.grant.accountId, request.query.get("next_page_token"));
  if (offset === undefined) return API_ERRORS.badField("next_page_token", "The next page token is invalid or expired.");
  const days = dayRange(request.query);
  if (typeof days === "string") return API_ERRORS.badField(days, `Invalid ${days}: use yyyy-mm-dd (and a timezone from Zoom's list).`);
  const upcoming = request.query.get("type") === "upcoming";
  const now = ctx.clock.now();
  const all = [...ctx.store.meetings.values()].filter((m) => {
    if (m.hostId !== host.id || m.deleted) return false;
    const shown = slot(m, now);
    if (upcoming && (m.status === "finished" || shown.end < now)) return false;
    return days === undefined || withinDays(shown.start, days);
  });
  const page = all.slice(offset, offset + size);
  const next = offset + size < all.length ? newCursor(ctx, caller.grant.accountId, offset + size) : "";
  const head = JSON.stringify({ page_size: size, total_records: all.length, next_page_token: next }).slice(0, -1);
  return rawJsonReply(200, `${head},"meetings":[${page.map((m) => listItem(ctx, m)).join(",")}]}`);
}

interface DayRange {
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly zone: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The `from` / `to` filter, undefined without one, or the name of the invalid parameter. */
function dayRange(query: URLSearchParams): DayRange | undefined | string {
  const from = query.get("from") ?? undefined;
  const to = query.get("to") ?? undefined;
  const zone = query.get("timezone") || "UTC";
  if (from !== undefined && !DAY.test(from)) return "from";
  if (to !== undefined && !DAY.test(to)) return "to";
  if (!isTimeZone(zone)) return "timezone";
  return from === undefined && to === undefined ? undefined : { from, to, zone };
}

function withinDays(start: number, days: DayRange): boolean {
  const day = new Date(start + zoneOffsetMs(start, days.zone)).toISOString().slice(0, 10);
  return (days.from === undefined || day >= days.from) && (days.to === undefined || day <= days.to);
}

/** The time a list item shows: the meeting's, or a series' next available occurrence (else its last). */
function slot(meeting: Meeting, now: number): { start: number; duration: number; end: number } {
  const available = meeting.occurrences.filter((o) => o.status === "available");
  const next = available.find((o) => o.startTime + o.duration * 60_000 >= now) ?? available.at(-1);
  const start = next?.startTime ?? meeting.startTime;
  const duration = next?.duration ?? meeting.duration;
  return { start, duration, end: start + duration * 60_000 };
}

function listItem(ctx: EmulatorContext, meeting: Meeting): string {
  const shown = slot(meeting, ctx.clock.now());
  const rest = {
    uuid: meeting.uuid,
    host_id: meeting.hostId,
    topic: meeting.topic,
    type: meeting.type,
    start_time: formatUtc(shown.start),
    duration: shown.duration,
    timezone: meeting.timezone,
    agenda: meeting.agenda,
    created_at: formatUtc(meeting.createdAt),
    join_url: `${ctx.baseUrl()}/j/${meeting.id}`,
  };
  return `{"id":${meeting.id},${JSON.stringify(rest).slice(1)}`;
}

function cursorOffset(ctx: EmulatorContext, accountId: string, token: string | null): number | undefined {
  if (!token) return 0;
  const cursor = ctx.store.pageCursors.get(token);
  if (!cursor || cursor.accountId !== accountId || cursor.expiresAt <= ctx.clock.now()) return undefined;
  return cursor.offset;
}

function newCursor(ctx: EmulatorContext, accountId: string, offset: number): string {
  const token = ctx.ids.token();
  ctx.store.pageCursors.set(token, { accountId, offset, expiresAt: ctx.clock.now() + PAGE_TOKEN_TTL_MS });
  return token;
}

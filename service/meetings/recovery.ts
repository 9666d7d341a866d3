import { z } from "zod";
import { meetingIdOf } from "../zoom/zoom-json.ts";
import type { IdempotencyRecord } from "./idempotency-store.ts";
import type { MeetingsDeps } from "./meetings.ts";

/**
 * Did Zoom create the meeting although we never saw (or never recorded) its answer? Zoom has no
 * idempotency key, so the host's scheduled meetings on the days around the booking's start are
 * searched for one with the same topic, start instant and duration, created no earlier than the
 * claim (minus clock skew). Costs one medium-rate "list meetings" call per page, only on the rare
 * ambiguous path.
 *
 * NB: the list is narrowed by date (`from`/`to`): a busy host has thousands of meetings, and a search
 * that stops after a few pages of all of them misses the newest one (chaos scenario 4 made 57
 * duplicates that way). A search that cannot finish says so (`unknown`): only a complete search may
 * let the caller create again.
 */

/** Tolerated difference between our clock and Zoom's `created_at`. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** 3,000 meetings of one host within three days: beyond that the search gives up as `unknown`. */
const MAX_PAGES = 10;
const DAY_MS = 86_400_000;

const ListPage = z.looseObject({
  next_page_token: z.string().optional(),
  meetings: z.array(
    z.looseObject({
      id: z.union([z.string(), z.number()]),
      topic: z.string(),
      start_time: z.string().optional(),
      duration: z.number().optional(),
      created_at: z.string().optional(),
    }),
  ),
});
type ListItem = z.infer<typeof ListPage>["meetings"][number];

export interface ExpectedMeeting {
  readonly topic: string;
  readonly durationMinutes: number;
  readonly startInstant: number;
}

export type Search =
  | { readonly kind: "found"; readonly meetingId: string }
  /** Every meeting of the host on those days was seen: Zoom created none for this claim. */
  | { readonly kind: "absent" }
  /** The search could not finish (page limit, an unreadable page): creating again could duplicate. */
  | { readonly kind: "unknown"; readonly reason: string };

/** The days searched, in UTC: the start's day and one either side (Zoom may read them in the host's zone). */
function searchDays(startInstant: number): { from: string; to: string } {
  const day = (instant: number) => new Date(instant).toISOString().slice(0, 10);
  return { from: day(startInstant - DAY_MS), to: day(startInstant + DAY_MS) };
}

function matches(item: ListItem, claim: IdempotencyRecord, expected: ExpectedMeeting): boolean {
  return (
    item.topic === expected.topic &&
    item.duration === expected.durationMinutes &&
    item.start_time !== undefined &&
    Date.parse(item.start_time) === expected.startInstant &&
    (item.created_at === undefined || Date.parse(item.created_at) >= claim.claimedAt - CLOCK_SKEW_MS)
  );
}

export async function findCreatedMeeting(
  deps: MeetingsDeps,
  organizationId: string,
  claim: IdempotencyRecord,
  expected: ExpectedMeeting,
): Promise<Search> {
  const days = searchDays(expected.startInstant);
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await deps.zoom.call({
      organizationId,
      method: "GET",
      path: `/users/${encodeURIComponent(claim.host)}/meetings`,
      query: { type: "scheduled", page_size: "300", from: days.from, to: days.to, timezone: "UTC", next_page_token: pageToken },
      retry: "idempotent",
    });
    const parsed = ListPage.safeParse(result.json);
    if (!parsed.success) return { kind: "unknown", reason: "unreadable list page" };
    const match = parsed.data.meetings.find((m) => matches(m, claim, expected));
    if (match) {
      const meetingId = meetingIdOf(match.id);
      if (meetingId === undefined) return { kind: "unknown", reason: "unreadable meeting id" };
      deps.logger.warn({ meetingId }, "recovered a meeting Zoom created without a recorded answer");
      return { kind: "found", meetingId };
    }
    pageToken = parsed.data.next_page_token;
    if (!pageToken) {
      deps.logger.warn({ pages: page + 1, ...days }, "searched the host's meetings: Zoom created none for this claim");
      return { kind: "absent" };
    }
  }
  return { kind: "unknown", reason: `more than ${MAX_PAGES * 300} meetings of the host on those days` };
}

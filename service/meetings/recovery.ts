import { z } from "zod";
import { meetingIdOf } from "../zoom/zoom-json.ts";
import type { IdempotencyRecord } from "./idempotency-store.ts";
import type { MeetingsDeps } from "./meetings.ts";

/**
 * Did Zoom create the meeting although we never saw (or never recorded) its answer? Zoom has no
 * idempotency key, so the host's upcoming meetings are searched for one with the same topic, start
 * instant and duration, created no earlier than the claim (minus clock skew). Costs one medium-rate
 * "list meetings" call per page, only on the rare ambiguous path.
 */

/** Tolerated difference between our clock and Zoom's `created_at`. */
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_PAGES = 5;

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

export interface ExpectedMeeting {
  readonly topic: string;
  readonly durationMinutes: number;
  readonly startInstant: number;
}

export async function findCreatedMeeting(
  deps: MeetingsDeps,
  organizationId: string,
  claim: IdempotencyRecord,
  expected: ExpectedMeeting,
): Promise<string | undefined> {
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await deps.zoom.call({
      organizationId,
      method: "GET",
      path: `/users/${encodeURIComponent(claim.host)}/meetings`,
      query: { type: "upcoming", page_size: "300", next_page_token: pageToken },
      retry: "idempotent",
    });
    const parsed = ListPage.safeParse(result.json);
    if (!parsed.success) return undefined;
    const match = parsed.data.meetings.find(
      (m) =>
        m.topic === expected.topic &&
        m.duration === expected.durationMinutes &&
        m.start_time !== undefined &&
        Date.parse(m.start_time) === expected.startInstant &&
        (m.created_at === undefined || Date.parse(m.created_at) >= claim.claimedAt - CLOCK_SKEW_MS),
    );
    if (match) {
      deps.logger.warn({ meetingId: String(match.id) }, "recovered a meeting Zoom created without a recorded answer");
      return meetingIdOf(match.id);
    }
    pageToken = parsed.data.next_page_token;
    if (!pageToken) return undefined;
  }
  return undefined;
}

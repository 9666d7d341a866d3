import { z } from "zod";
import { badResponse } from "../zoom/zoom-errors.ts";
import { meetingIdOf } from "../zoom/zoom-json.ts";
import { joinDetailsOf } from "./join-details.ts";
import { localDateTime, utcString } from "./meeting-time.ts";
import { occurrencesOf, recurrenceOf } from "./recurrence.ts";
import type { Meeting } from "./schemas.ts";

/** Zoom's meeting JSON and its mapping to the API's Meeting (create, get and update share it). */

const ZoomMeeting = z.looseObject({
  id: z.union([z.string(), z.number()]),
  type: z.number().optional(),
  topic: z.string(),
  agenda: z.string().optional(),
  host_id: z.string(),
  host_email: z.string().optional(),
  // NB: a recurring series answers the first occurrence's start; type 3 (no fixed time) has none.
  start_time: z.string().optional(),
  duration: z.number(),
  timezone: z.string(),
  join_url: z.string(),
  start_url: z.string().optional(),
  password: z.string().optional(),
  status: z.string().optional(),
  settings: z.looseObject({}).optional(),
  recurrence: z.unknown().optional(),
  occurrences: z.unknown().optional(),
  created_at: z.string().optional(),
});
export type ZoomMeeting = z.infer<typeof ZoomMeeting>;

export const ZOOM_RECURRING_TYPE = 8;

export function parseZoomMeeting(json: unknown, status: number): ZoomMeeting & { id: string } {
  const parsed = ZoomMeeting.safeParse(json);
  const id = parsed.success ? meetingIdOf(parsed.data.id) : undefined;
  if (!parsed.success || id === undefined) throw badResponse(status, "not a meeting");
  return { ...parsed.data, id };
}

/** `invitation`: Zoom's invitation text when it was read (null when Zoom did not give it). */
export function toMeeting(json: unknown, status: number, invitation: string | null = null): Meeting {
  const m = parseZoomMeeting(json, status);
  const s = m.settings ?? {};
  const occurrences = occurrencesOf(m.occurrences, m.timezone, m.duration);
  const firstLive = occurrences.find((o) => o.status !== "deleted");
  const instant = Date.parse(m.start_time ?? firstLive?.startInstant ?? "");
  const recurring = m.type === ZOOM_RECURRING_TYPE;
  return {
    id: m.id,
    type: recurring ? "recurring" : "single",
    topic: m.topic,
    agenda: m.agenda ?? "",
    hostId: m.host_id,
    hostEmail: m.host_email ?? "",
    startInstant: Number.isNaN(instant) ? "" : utcString(instant),
    startLocal: Number.isNaN(instant) ? "" : localDateTime(instant, m.timezone),
    timeZone: m.timezone,
    durationMinutes: m.duration,
    recurrence: recurring ? (recurrenceOf(m.recurrence, m.timezone) ?? null) : null,
    occurrences,
    joinUrl: m.join_url,
    startUrl: m.start_url ?? "",
    password: m.password ?? null,
    alternativeHosts: splitHosts(s.alternative_hosts),
    settings: {
      waitingRoom: s.waiting_room === true,
      joinBeforeHost: s.join_before_host === true,
      muteOnEntry: s.mute_upon_entry === true,
      autoRecording: typeof s.auto_recording === "string" ? s.auto_recording : "none",
      meetingAuthentication: s.meeting_authentication === true,
    },
    joinDetails: joinDetailsOf(m, invitation),
    invitation,
    status: m.status ?? "waiting",
  };
}

function splitHosts(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(/[;,]/)
    .map((h) => h.trim())
    .filter((h) => h !== "");
}

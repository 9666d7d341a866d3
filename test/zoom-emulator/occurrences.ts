import { API_ERRORS } from "./errors.ts";
import type { Reply } from "./http-core.ts";
import type { MeetingChanges } from "./meeting-body.ts";
import type { Occurrence } from "./recurrence.ts";
import type { DeleteOptions, Meeting } from "./store.ts";

/**
 * One occurrence of a series, addressed by `occurrence_id` (Zoom's "Update a meeting": an
 * occurrence supports changes of `agenda`, `start_time`, `duration` and `settings` host_video,
 * participant_video, join_before_host, mute_upon_entry, waiting_room, watermark, auto_recording).
 * NB: Zoom's docs do not say what an unknown or deleted occurrence_id answers; the emulator says
 * 3001 (404), which a cancellation already treats as "gone". An edited occurrence keeps its id.
 */
const OCCURRENCE_FIELDS = new Set(["startTime", "duration", "agenda", "settings"]);
const OCCURRENCE_SETTINGS = new Set([
  "host_video",
  "participant_video",
  "join_before_host",
  "mute_upon_entry",
  "waiting_room",
  "auto_recording",
]);

export function findOccurrence(meeting: Meeting, occurrenceId: string): Occurrence | Reply {
  const occurrence = meeting.occurrences.find((o) => o.occurrenceId === occurrenceId);
  if (!occurrence || occurrence.status === "deleted") return API_ERRORS.meetingNotFound(meeting.id);
  return occurrence;
}

export function deleteOccurrence(meeting: Meeting, occurrence: Occurrence): void {
  occurrence.status = "deleted";
  // NB: when the last occurrence goes, the series goes too (Zoom shows nothing left to join).
  if (meeting.occurrences.every((o) => o.status === "deleted")) meeting.deleted = true;
}

/** A field a single-occurrence update may not carry, or undefined. */
export function fieldNotForOccurrence(changes: MeetingChanges): string | undefined {
  for (const key of Object.keys(changes)) if (!OCCURRENCE_FIELDS.has(key)) return key;
  for (const key of Object.keys(changes.settings ?? {})) if (!OCCURRENCE_SETTINGS.has(key)) return `settings.${key}`;
  return undefined;
}

export function applyToOccurrence(occurrence: Occurrence, changes: MeetingChanges): void {
  if (changes.startTime !== undefined) occurrence.startTime = changes.startTime;
  if (changes.duration !== undefined) occurrence.duration = changes.duration;
  if (changes.agenda !== undefined) occurrence.agenda = changes.agenda;
  if (changes.settings) occurrence.settings = { ...occurrence.settings, ...changes.settings };
}

/** Re-expanded occurrences keep what was deleted or edited on the same occurrence id. */
export function carryOver(previous: readonly Occurrence[], next: Occurrence[]): Occurrence[] {
  const byId = new Map(previous.map((o) => [o.occurrenceId, o]));
  return next.map((o) => {
    const old = byId.get(o.occurrenceId);
    return old ? { ...o, status: old.status, agenda: old.agenda, settings: old.settings } : o;
  });
}

/** `schedule_for_reminder` / `cancel_meeting_reminder`: "true" or "false", recorded for inspection. */
export function deleteOptionsOf(query: URLSearchParams): DeleteOptions | undefined | Reply {
  const read = (name: string): boolean | undefined | Reply => {
    const value = query.get(name);
    if (value === null) return undefined;
    if (value === "true" || value === "false") return value === "true";
    return API_ERRORS.badField(name, `Invalid ${name}: use true or false.`);
  };
  const scheduleForReminder = read("schedule_for_reminder");
  const cancelMeetingReminder = read("cancel_meeting_reminder");
  if (typeof scheduleForReminder === "object") return scheduleForReminder;
  if (typeof cancelMeetingReminder === "object") return cancelMeetingReminder;
  if (scheduleForReminder === undefined && cancelMeetingReminder === undefined) return undefined;
  return { scheduleForReminder, cancelMeetingReminder };
}

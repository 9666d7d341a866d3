import { z } from "zod";
import type { FieldError } from "./errors.ts";
import { phonePasscode } from "./passcodes.ts";
import { checkRecurrence, type Recurrence, recurrenceSchema } from "./recurrence.ts";
import type { DialInNumber } from "./seed.ts";
import type { Meeting } from "./store.ts";
import { formatUtc, isTimeZone, parseStartTime } from "./zoom-time.ts";

/** Zoom's documented request limits (ZOOM.md "Create"); unknown fields are accepted and ignored. */
const settingsSchema = z
  .object({
    host_video: z.boolean(),
    participant_video: z.boolean(),
    join_before_host: z.boolean(),
    mute_upon_entry: z.boolean(),
    waiting_room: z.boolean(),
    approval_type: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    auto_recording: z.enum(["local", "cloud", "none"]),
    meeting_authentication: z.boolean(),
    alternative_hosts: z.string(),
  })
  .partial()
  .loose();

const fields = {
  topic: z.string().max(200, "Topic must not be longer than 200 characters."),
  type: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(8)]),
  start_time: z.string(),
  duration: z.number().int().min(0),
  timezone: z.string(),
  agenda: z.string().max(2000, "Agenda must not be longer than 2000 characters."),
  password: z
    .string()
    .max(10, "Password must not be longer than 10 characters.")
    .regex(/^[a-zA-Z0-9@\-_*]*$/, "Password may only contain the following characters: [a-z A-Z 0-9 @ - _ *]"),
  settings: settingsSchema,
  default_password: z.boolean(),
  recurrence: recurrenceSchema,
  schedule_for: z.string().min(1),
};
const bodySchema = z.object(fields).partial().loose();

export type MeetingChanges = Partial<Pick<Meeting, "topic" | "type" | "startTime" | "duration" | "timezone" | "agenda" | "password">> & {
  settings?: Record<string, unknown>;
  defaultPassword?: boolean;
  recurrence?: Recurrence;
  /** `schedule_for`: the user (id or e-mail) the meeting is scheduled for. */
  scheduleFor?: string;
};

export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  host_video: false,
  participant_video: false,
  join_before_host: false,
  mute_upon_entry: false,
  waiting_room: false,
  approval_type: 2,
  auto_recording: "none",
};

/**
 * Validates a create or update body. `zoneWhenAbsent` is the zone a `start_time` without `Z` is
 * read in when the body names no timezone: the meeting's (update) or the account's (create).
 */
export function parseMeetingBody(json: unknown, zoneWhenAbsent: string): MeetingChanges | FieldError[] {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return [{ field: "body", message: "Request Body should be a valid JSON object." }];
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) return parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message }));
  const body = parsed.data;
  if (body.timezone !== undefined && !isTimeZone(body.timezone))
    return [{ field: "timezone", message: `Invalid timezone: ${body.timezone}.` }];
  const recurrence = body.recurrence === undefined ? undefined : checkRecurrence(body.recurrence);
  if (Array.isArray(recurrence)) return recurrence;
  const zone = body.timezone ?? zoneWhenAbsent;
  const startTime = body.start_time === undefined ? undefined : parseStartTime(body.start_time, zone);
  if (body.start_time !== undefined && startTime === undefined)
    return [{ field: "start_time", message: "Invalid start_time: use yyyy-MM-ddTHH:mm:ssZ (UTC) or yyyy-MM-ddTHH:mm:ss with timezone." }];
  return dropUndefined({
    topic: body.topic,
    type: body.type,
    startTime,
    duration: body.duration,
    timezone: body.timezone,
    agenda: body.agenda,
    password: body.password,
    settings: body.settings,
    defaultPassword: body.default_password,
    recurrence,
    scheduleFor: body.schedule_for,
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface MeetingLinks {
  readonly hostEmail: string;
  readonly startUrl: string;
  readonly joinUrl: string;
  readonly dialIn: readonly DialInNumber[];
}

/** What a GET asked to see of a recurring meeting. */
export interface OccurrenceView {
  /** `?occurrence_id=`: the top-level start_time, duration, agenda and settings are that occurrence's. */
  readonly occurrenceId?: string | undefined;
  /** `show_previous_occurrences=true` also lists occurrences that already ended. */
  readonly showPrevious: boolean;
  readonly now: number;
}

/**
 * The JSON body of a meeting, with `id` written as raw digits: Zoom sends int64 ids as JSON
 * numbers, so a client that `JSON.parse`s naively gets a wrong id (every id here is above 2^53).
 */
export function meetingJson(meeting: Meeting, links: MeetingLinks, view?: OccurrenceView): string {
  const shown = view ? shownTimes(meeting, view) : { startTime: meeting.startTime, duration: meeting.duration };
  const { id, ...rest } = {
    id: meeting.id,
    uuid: meeting.uuid,
    host_id: meeting.hostId,
    host_email: links.hostEmail,
    topic: meeting.topic,
    type: meeting.type,
    status: meeting.status,
    start_time: formatUtc(shown.startTime),
    duration: shown.duration,
    timezone: meeting.timezone,
    agenda: shown.agenda ?? meeting.agenda,
    created_at: formatUtc(meeting.createdAt),
    start_url: links.startUrl,
    join_url: links.joinUrl,
    ...(meeting.password === undefined ? {} : passwordFields(meeting.password)),
    ...(meeting.recurrence && view ? { occurrences: occurrencesJson(meeting, view), recurrence: meeting.recurrence } : {}),
    settings: { ...meeting.settings, ...shown.settings, global_dial_in_numbers: links.dialIn },
    pre_schedule: false,
  };
  if (!/^\d+$/.test(id)) throw new Error(`meeting id must be digits: ${id}`);
  return `{"id":${id},${JSON.stringify(rest).slice(1)}`;
}

function passwordFields(password: string): Record<string, string> {
  const phone = phonePasscode(password);
  return { password, h323_password: phone, pstn_password: phone, encrypted_password: Buffer.from(password).toString("base64url") };
}

interface ShownTimes {
  readonly startTime: number;
  readonly duration: number;
  readonly agenda?: string | undefined;
  readonly settings?: Record<string, unknown> | undefined;
}

/**
 * A series answers with its next occurrence's time at the top (NB: Zoom's docs do not say which;
 * the next available one not yet over is what its web portal shows), or the asked occurrence's.
 */
function shownTimes(meeting: Meeting, view: OccurrenceView): ShownTimes {
  const asked = view.occurrenceId === undefined ? undefined : meeting.occurrences.find((o) => o.occurrenceId === view.occurrenceId);
  const next = meeting.occurrences.find((o) => o.status === "available" && o.startTime + o.duration * 60_000 > view.now);
  const pick = asked ?? next;
  if (!pick) return { startTime: meeting.startTime, duration: meeting.duration };
  return { startTime: pick.startTime, duration: pick.duration, agenda: pick.agenda, settings: pick.settings };
}

function occurrencesJson(meeting: Meeting, view: OccurrenceView): Record<string, unknown>[] {
  return meeting.occurrences
    .filter((o) => view.showPrevious || o.startTime + o.duration * 60_000 > view.now)
    .map((o) => ({ occurrence_id: o.occurrenceId, start_time: formatUtc(o.startTime), duration: o.duration, status: o.status }));
}

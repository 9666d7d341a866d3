import { randomInt } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { ZoomApi } from "../zoom/zoom-api.ts";
import { badResponse } from "../zoom/zoom-errors.ts";
import { meetingIdOf } from "../zoom/zoom-json.ts";
import type { IdempotencyStore } from "./idempotency-store.ts";
import { localDateTime, type ResolvedStart, resolveStart, utcString } from "./meeting-time.ts";
import type { CreateMeetingRequest, Meeting, UpdateMeetingRequest } from "./schemas.ts";

/** Get, update and delete, and the Zoom body and answer mappings that create shares. */

export interface MeetingsDeps {
  readonly zoom: Pick<ZoomApi, "call">;
  readonly idempotency: IdempotencyStore;
  /** Wall clock for records and leases (ms). */
  readonly clock: () => number;
  /** For jitter only; secrets use node:crypto. */
  readonly random: () => number;
  readonly logger: Pick<Logger, "info" | "warn" | "error">;
}

const ZoomMeeting = z.looseObject({
  id: z.union([z.string(), z.number()]),
  topic: z.string(),
  agenda: z.string().optional(),
  host_id: z.string(),
  host_email: z.string().optional(),
  start_time: z.string(),
  duration: z.number(),
  timezone: z.string(),
  join_url: z.string(),
  start_url: z.string().optional(),
  password: z.string().optional(),
  status: z.string().optional(),
  settings: z.looseObject({}).optional(),
  created_at: z.string().optional(),
});
export type ZoomMeeting = z.infer<typeof ZoomMeeting>;

export function parseZoomMeeting(json: unknown, status: number): ZoomMeeting & { id: string } {
  const parsed = ZoomMeeting.safeParse(json);
  const id = parsed.success ? meetingIdOf(parsed.data.id) : undefined;
  if (!parsed.success || id === undefined) throw badResponse(status, "not a meeting");
  return { ...parsed.data, id };
}

export function toMeeting(json: unknown, status: number): Meeting {
  const m = parseZoomMeeting(json, status);
  const instant = Date.parse(m.start_time);
  const s = m.settings ?? {};
  return {
    id: m.id,
    topic: m.topic,
    agenda: m.agenda ?? "",
    hostId: m.host_id,
    hostEmail: m.host_email ?? "",
    startInstant: utcString(instant),
    startLocal: localDateTime(instant, m.timezone),
    timeZone: m.timezone,
    durationMinutes: m.duration,
    joinUrl: m.join_url,
    startUrl: m.start_url ?? "",
    password: m.password ?? null,
    settings: {
      waitingRoom: s.waiting_room === true,
      joinBeforeHost: s.join_before_host === true,
      muteOnEntry: s.mute_upon_entry === true,
      autoRecording: typeof s.auto_recording === "string" ? s.auto_recording : "none",
    },
    status: m.status ?? "waiting",
  };
}

type Settings = CreateMeetingRequest["settings"];

function zoomSettings(settings: Settings): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const out = {
    waiting_room: settings.waitingRoom,
    join_before_host: settings.joinBeforeHost,
    mute_upon_entry: settings.muteOnEntry,
    auto_recording: settings.autoRecording,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function zoomPassword(policy: CreateMeetingRequest["password"]): string | undefined {
  if (policy?.policy === "custom") return policy.value;
  if (policy?.policy !== "generated") return undefined;
  return Array.from({ length: 10 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join("");
}

/** Zoom's create body: type 2 (scheduled), local start without `Z` plus `timezone` (meeting-time.ts). */
export function zoomCreateBody(request: CreateMeetingRequest, start: ResolvedStart): Record<string, unknown> {
  return dropUndefined({
    topic: request.topic,
    type: 2,
    start_time: start.zoomStartTime,
    timezone: start.timeZone,
    duration: request.durationMinutes,
    agenda: request.agenda,
    password: zoomPassword(request.password),
    settings: zoomSettings(request.settings),
  });
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

const meetingPath = (id: string) => `/meetings/${encodeURIComponent(id)}`;

/** The meeting as Zoom has it now, with a fresh start URL (start URLs expire after 2 hours). */
export async function getMeeting(deps: MeetingsDeps, organizationId: string, id: string): Promise<Meeting> {
  const result = await deps.zoom.call({ organizationId, method: "GET", path: meetingPath(id), retry: "idempotent" });
  return toMeeting(result.json, result.status);
}

/** Zoom answers PATCH with 204 and no body: the updated meeting is read back. */
export async function updateMeeting(deps: MeetingsDeps, id: string, request: UpdateMeetingRequest): Promise<Meeting> {
  const start = request.timeZone === undefined ? undefined : resolveStart({ ...request, timeZone: request.timeZone });
  const body = dropUndefined({
    topic: request.topic,
    agenda: request.agenda,
    duration: request.durationMinutes,
    start_time: start?.zoomStartTime,
    timezone: start?.timeZone,
    settings: zoomSettings(request.settings),
  });
  await deps.zoom.call({ organizationId: request.organizationId, method: "PATCH", path: meetingPath(id), body, retry: "idempotent" });
  return getMeeting(deps, request.organizationId, id);
}

/** Cancelling a meeting that is already gone is success; in progress or ended is a 409 with the reason. */
export async function deleteMeeting(deps: MeetingsDeps, organizationId: string, id: string): Promise<void> {
  try {
    await deps.zoom.call({ organizationId, method: "DELETE", path: meetingPath(id), retry: "idempotent" });
  } catch (error) {
    if (error instanceof ServiceError && error.code === ErrorCode.NotFound) {
      deps.logger.info({ meetingId: id }, "meeting already gone");
      return;
    }
    throw error;
  }
}

import { ErrorCode, ServiceError } from "../errors.ts";
import { createMeetingIdempotently } from "./idempotent-create.ts";
import { isNotFound, markMeetingGone } from "./meeting-life.ts";
import { resolveStart, utcString } from "./meeting-time.ts";
import { checkAlternativeHosts, dropUndefined, getMeeting, type MeetingsDeps, meetingPath, zoomSettings } from "./meetings.ts";
import { zoomRecurrence } from "./recurrence.ts";
import type { CreateMeetingRequest, DeleteMeetingQuery, Meeting, UpdateMeetingRequest } from "./schemas.ts";

/**
 * Update and cancel: a single meeting, a whole series, or one occurrence (`occurrence_id`). Every
 * PATCH counts against the host's 100 creates+updates per day, like a create.
 */

/** Zoom answers PATCH with 204 and no body: the updated meeting is read back. */
export async function updateMeeting(deps: MeetingsDeps, id: string, request: UpdateMeetingRequest): Promise<Meeting> {
  const organizationId = request.organizationId;
  if (request.host !== undefined) return changeHost(deps, id, request);
  await checkAlternativeHosts(deps, organizationId, request.alternativeHosts);
  const start = request.timeZone === undefined ? undefined : resolveStart({ ...request, timeZone: request.timeZone });
  // NB: Zoom ignores a new start of a series unless the recurrence comes along (and needs the zone for end dates).
  const series = request.occurrenceId === undefined && (start !== undefined || request.recurrence !== undefined);
  const current = series ? await getMeeting(deps, organizationId, id) : undefined;
  const rule = request.recurrence ?? current?.recurrence ?? undefined;
  const body = dropUndefined({
    topic: request.topic,
    agenda: request.agenda,
    duration: request.durationMinutes,
    // NB: one occurrence takes no timezone (Zoom refuses it): its start goes as an instant.
    start_time: start && request.occurrenceId !== undefined ? utcString(start.instant) : start?.zoomStartTime,
    timezone: request.occurrenceId === undefined ? start?.timeZone : undefined,
    recurrence: current?.type === "recurring" && rule ? zoomRecurrence(rule, start?.timeZone ?? current.timeZone) : undefined,
    settings: zoomSettings(request.settings, request.alternativeHosts),
  });
  if (request.recurrence !== undefined && current?.type !== "recurring")
    throw new ServiceError(ErrorCode.BadRequest, "body.recurrence: the meeting is not a recurring series", {
      details: { field: "body.recurrence" },
    });
  const query = request.occurrenceId === undefined ? undefined : { occurrence_id: request.occurrenceId };
  await deps.zoom.call({ organizationId, method: "PATCH", path: meetingPath(id), query, body, retry: "idempotent" });
  return getMeeting(deps, organizationId, id);
}

/**
 * Cancelling a meeting (or occurrence) that is already gone is success; in progress or ended is a
 * 409 with the reason. Zoom's notification e-mails are off unless asked: the booking app sends its own.
 * A cancelled meeting (not an occurrence) marks its booking's record: creating the booking again
 * makes a new meeting (meeting-life.ts).
 */
export async function deleteMeeting(deps: MeetingsDeps, id: string, query: DeleteMeetingQuery): Promise<void> {
  const zoomQuery = {
    occurrence_id: query.occurrenceId,
    schedule_for_reminder: String(query.notifyHost ?? false),
    cancel_meeting_reminder: String(query.notifyRegistrants ?? false),
  };
  try {
    await deps.zoom.call({
      organizationId: query.organizationId,
      method: "DELETE",
      path: meetingPath(id),
      query: zoomQuery,
      retry: "idempotent",
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    deps.logger.info({ meetingId: id, occurrenceId: query.occurrenceId }, "meeting already gone");
  }
  if (query.occurrenceId === undefined) await markMeetingGone(deps, query.organizationId, id);
}

/**
 * Zoom cannot move a meeting to another host: PATCH with `schedule_for` answers 3000 "You cannot
 * schedule a meeting for ..." unless the admin holds a scheduling privilege for that user (Zoom
 * developer forum, 2025), which an OAuth app cannot grant itself. So the meeting is created for the
 * new host (through the idempotent create, keyed by the old id and the new host, so a retried
 * PATCH gives the same new meeting) and then the old one is deleted. The answer carries the new id.
 * NB: cancelled occurrences of a series are not carried over; a retry after the old meeting is
 * gone answers NOT_FOUND.
 */
async function changeHost(deps: MeetingsDeps, id: string, request: UpdateMeetingRequest): Promise<Meeting> {
  const organizationId = request.organizationId;
  const current = await getMeeting(deps, organizationId, id);
  const host = request.host ?? "";
  const next = await deps.hosts.check(organizationId, host, "host");
  if (next.id === current.hostId) {
    const { host: _, ...rest } = request;
    const others = Object.entries(rest).filter(([k, v]) => v !== undefined && k !== "organizationId");
    return others.length === 0 ? current : updateMeeting(deps, id, rest);
  }
  const moved = request.timeZone !== undefined;
  const firstLive = current.occurrences.find((o) => o.status !== "deleted");
  const create: CreateMeetingRequest = {
    organizationId,
    bookingId: `rehost-${id}`,
    host: next.id,
    topic: request.topic ?? current.topic,
    agenda: request.agenda ?? current.agenda,
    timeZone: request.timeZone ?? current.timeZone,
    startLocal: moved ? request.startLocal : undefined,
    startInstant: moved ? request.startInstant : (firstLive?.startInstant ?? current.startInstant),
    durationMinutes: request.durationMinutes ?? current.durationMinutes,
    recurrence: current.recurrence ?? undefined,
    alternativeHosts: request.alternativeHosts ?? current.alternativeHosts,
    settings: { ...settingsOf(current), ...request.settings },
    password:
      current.password && /^[a-zA-Z0-9@\-_*]{1,10}$/.test(current.password) ? { policy: "custom", value: current.password } : undefined,
  };
  const created = await createMeetingIdempotently(deps, dropUndefined({ ...create }) as CreateMeetingRequest, `rehost:${id}:${next.id}`);
  // NB: the successor first: the booking's record names the old meeting, and its create must replay the new one.
  await markMeetingGone(deps, organizationId, id, created.meeting.id);
  await deleteMeeting(deps, id, { organizationId });
  deps.logger.info({ meetingId: id, newMeetingId: created.meeting.id }, "meeting moved to another host");
  return created.meeting;
}

function settingsOf(meeting: Meeting): NonNullable<CreateMeetingRequest["settings"]> {
  const s = meeting.settings;
  const recording = s.autoRecording === "local" || s.autoRecording === "cloud" ? s.autoRecording : "none";
  return {
    waitingRoom: s.waitingRoom,
    joinBeforeHost: s.joinBeforeHost,
    muteOnEntry: s.muteOnEntry,
    autoRecording: recording,
    meetingAuthentication: s.meetingAuthentication,
  };
}

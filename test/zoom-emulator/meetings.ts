import { admit, resolveUser, scopeRefusal } from "./api-auth.ts";
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { dailyLimit, hostRefusal } from "./hosts.ts";
import { type EmulatorRequest, emptyReply, isReply, type Reply, rawJsonReply } from "./http-core.ts";
import { DEFAULT_SETTINGS, type MeetingChanges, meetingJson, type OccurrenceView, parseMeetingBody } from "./meeting-body.ts";
import { joinUrl, mintStartKey } from "./meeting-links.ts";
import { checkMeetingRules } from "./meeting-rules.ts";
import { choosePasscode, secureSettings } from "./meeting-security.ts";
import { applyUpdate } from "./meeting-update.ts";
import { deleteOccurrence, deleteOptionsOf, findOccurrence } from "./occurrences.ts";
import { expandOccurrences } from "./recurrence.ts";
import type { Meeting, User } from "./store.ts";

const DEFAULT_DURATION_MINUTES = 60;

/** `POST /v2/users/{userId}/meetings` -> 201 with the meeting; `userId` (or `schedule_for`) hosts it. */
export function createMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admit(ctx, request, "medium");
  if (isReply(caller)) return caller;
  const owner = resolveUser(ctx, caller, request.params.userId ?? "");
  if (isReply(owner)) return owner;
  const refusal = scopeRefusal(caller, "createMeeting", owner.id);
  if (refusal) return refusal;
  const changes = readBody(request, hostZone(ctx, owner));
  if (isReply(changes)) return changes;
  const host = changes.scheduleFor === undefined ? owner : resolveUser(ctx, caller, changes.scheduleFor);
  if (isReply(host)) return host;
  const checked = checkNewMeeting(ctx, host, changes);
  if (isReply(checked)) return checked;
  const limited = dailyLimit(ctx, host.id);
  if (limited) return limited;
  ctx.store.meetings.set(checked.id, checked);
  return rawJsonReply(201, renderMeeting(ctx, checked, { showPrevious: false, now: ctx.clock.now() }));
}

/** `GET /v2/meetings/{meetingId}[?occurrence_id=..&show_previous_occurrences=true]` -> 200, fresh start_url. */
export function getMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "readMeeting");
  if (isReply(found)) return found;
  if (found.status === "finished") return API_ERRORS.meetingNotFound(found.id);
  const occurrenceId = request.query.get("occurrence_id") ?? undefined;
  if (occurrenceId !== undefined && !found.occurrences.some((o) => o.occurrenceId === occurrenceId))
    return API_ERRORS.meetingNotFound(found.id);
  const view = { occurrenceId, showPrevious: request.query.get("show_previous_occurrences") === "true", now: ctx.clock.now() };
  return rawJsonReply(200, renderMeeting(ctx, found, view));
}

/** `PATCH /v2/meetings/{meetingId}[?occurrence_id=..]` -> 204 and no body; counts towards the host's daily 100. */
export function updateMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "updateMeeting");
  if (isReply(found)) return found;
  if (found.status === "finished") return API_ERRORS.meetingNotFound(found.id);
  const changes = readBody(request, found.timezone);
  if (isReply(changes)) return changes;
  return applyUpdate(ctx, request, found, changes) ?? emptyReply(204);
}

/**
 * `DELETE /v2/meetings/{meetingId}[?occurrence_id=..&schedule_for_reminder=..&cancel_meeting_reminder=..]`
 * -> 204; 3001 gone, 3002 in progress, 3007 ended. An occurrence becomes `deleted`, the series stays.
 */
export function deleteMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "deleteMeeting");
  if (isReply(found)) return found;
  const options = deleteOptionsOf(request.query);
  if (options !== undefined && isReply(options)) return options;
  if (found.status === "started") return API_ERRORS.meetingInProgress(found.id);
  if (found.status === "finished") return API_ERRORS.meetingEnded(found.id);
  const occurrenceId = request.query.get("occurrence_id");
  if (occurrenceId !== null) {
    const occurrence = findOccurrence(found, occurrenceId);
    if (isReply(occurrence)) return occurrence;
    deleteOccurrence(found, occurrence);
  } else found.deleted = true;
  found.deleteOptions = options;
  return emptyReply(204);
}

export function findMeeting(
  ctx: EmulatorContext,
  request: EmulatorRequest,
  operation: "readMeeting" | "updateMeeting" | "deleteMeeting",
): Meeting | Reply {
  const caller = admit(ctx, request, "light");
  if (isReply(caller)) return caller;
  const id = request.params.meetingId ?? "";
  if (!/^\d{1,20}$/.test(id)) return API_ERRORS.badField("meetingId", `Invalid meeting id: ${id}.`);
  const meeting = ctx.store.meetings.get(id);
  // NB: a meeting of another account is "not found", not "forbidden": Zoom does not confirm it exists.
  if (!meeting || meeting.deleted || meeting.accountId !== caller.grant.accountId) return API_ERRORS.meetingNotFound(id);
  return scopeRefusal(caller, operation, meeting.hostId) ?? meeting;
}

function readBody(request: EmulatorRequest, zoneWhenAbsent: string): MeetingChanges | Reply {
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    // NB: the parse error is the answer: Zoom's code 300 for a body that is not JSON.
    return API_ERRORS.badJson();
  }
  const parsed = parseMeetingBody(json, zoneWhenAbsent);
  return Array.isArray(parsed) ? API_ERRORS.validation(parsed) : parsed;
}

/** ZOOM.md: without `Z` and without `timezone`, the account's time zone. */
function hostZone(ctx: EmulatorContext, host: User): string {
  return ctx.store.accountTimezone(host.accountId);
}

/** Every rule a new meeting must pass, then the meeting (not yet stored). */
function checkNewMeeting(ctx: EmulatorContext, host: User, changes: MeetingChanges): Meeting | Reply {
  const cannotHost = hostRefusal(host);
  if (cannotHost) return cannotHost;
  // NB: Zoom's "Create a meeting": a scheduled meeting without start_time becomes an instant one (type 1), now.
  const requested = changes.type ?? 2;
  const type = requested === 2 && changes.startTime === undefined ? 1 : requested;
  const checked = checkMeetingRules(ctx, host, changes, { type, hasRecurrence: changes.recurrence !== undefined });
  if (isReply(checked)) return checked;
  const meeting = newMeeting(ctx, host, changes, type);
  if (checked.alternativeHosts !== undefined) meeting.settings.alternative_hosts = checked.alternativeHosts;
  if (type !== 8 || !meeting.recurrence) return meeting;
  const expanded = expandOccurrences(meeting.recurrence, meeting.startTime, meeting.timezone, meeting.duration);
  if ("errors" in expanded) return API_ERRORS.validation(expanded.errors);
  meeting.occurrences = expanded.occurrences;
  return meeting;
}

function newMeeting(ctx: EmulatorContext, host: User, changes: MeetingChanges, type: number): Meeting {
  const account = ctx.store.accounts.get(host.accountId);
  const now = ctx.clock.now();
  const passcode = choosePasscode(host, changes.password, changes.defaultPassword === true, account?.meetingPasswords !== false);
  const requested = { ...DEFAULT_SETTINGS, meeting_authentication: host.meetingAuthentication, ...changes.settings };
  const secured = secureSettings(requested, passcode.password);
  return {
    id: ctx.ids.meetingId(),
    uuid: ctx.ids.uuid(),
    hostId: host.id,
    accountId: host.accountId,
    createdAt: now,
    topic: changes.topic ?? "Zoom meeting",
    type,
    startTime: changes.startTime ?? now,
    duration: changes.duration ?? DEFAULT_DURATION_MINUTES,
    timezone: changes.timezone ?? hostZone(ctx, host),
    agenda: changes.agenda ?? "",
    password: passcode.password,
    settings: secured.settings,
    status: "waiting",
    deleted: false,
    passwordSource: passcode.source,
    waitingRoomForced: secured.forced,
    recurrence: changes.recurrence,
    occurrences: [],
  };
}

/** Serialises a meeting with a start_url that works for 2 hours from now. */
export function renderMeeting(ctx: EmulatorContext, meeting: Meeting, view: OccurrenceView): string {
  const key = mintStartKey(ctx, meeting.id);
  const hostEmail = ctx.store.users.get(meeting.hostId)?.email ?? "";
  const dialIn = ctx.store.accounts.get(meeting.accountId)?.dialInNumbers ?? [];
  const links = {
    hostEmail,
    startUrl: `${ctx.baseUrl()}/s/${meeting.id}?zak=${key}`,
    joinUrl: joinUrl(ctx, meeting.id, meeting.password),
    dialIn,
  };
  return meetingJson(meeting, links, view);
}

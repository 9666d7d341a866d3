import { authenticate, resolveUser, scopeRefusal } from "./api-auth.ts";
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { dailyLimit, hostRefusal } from "./hosts.ts";
import { type EmulatorRequest, isReply, type Reply } from "./http-core.ts";
import type { MeetingChanges } from "./meeting-body.ts";
import { checkMeetingRules } from "./meeting-rules.ts";
import { choosePasscode, secureSettings } from "./meeting-security.ts";
import { applyToOccurrence, carryOver, fieldNotForOccurrence, findOccurrence } from "./occurrences.ts";
import { expandOccurrences, type Occurrence } from "./recurrence.ts";
import type { Meeting, User } from "./store.ts";

/**
 * A PATCH after the meeting was found: one occurrence (`?occurrence_id=`) or the whole meeting.
 * `schedule_for` moves the meeting to another host of the account (Zoom's "Update a meeting"
 * documents `schedule_for`; the new host must be able to host). Answers a refusal or undefined.
 */
export function applyUpdate(ctx: EmulatorContext, request: EmulatorRequest, meeting: Meeting, changes: MeetingChanges): Reply | undefined {
  const occurrenceId = request.query.get("occurrence_id");
  if (occurrenceId !== null) return updateOccurrence(ctx, meeting, occurrenceId, changes);
  const host = newHost(ctx, request, meeting, changes.scheduleFor);
  if (isReply(host)) return host;
  const type = changes.type ?? meeting.type;
  const checked = checkMeetingRules(ctx, host, changes, { type, hasRecurrence: (changes.recurrence ?? meeting.recurrence) !== undefined });
  if (isReply(checked)) return checked;
  const occurrences = seriesAfter(meeting, changes);
  if (occurrences && "errors" in occurrences) return API_ERRORS.validation(occurrences.errors);
  const limited = dailyLimit(ctx, host.id);
  if (limited) return limited;
  applyChanges(ctx, meeting, host, changes, occurrences?.occurrences);
  if (checked.alternativeHosts !== undefined) meeting.settings.alternative_hosts = checked.alternativeHosts;
  return undefined;
}

function updateOccurrence(ctx: EmulatorContext, meeting: Meeting, occurrenceId: string, changes: MeetingChanges): Reply | undefined {
  const occurrence = findOccurrence(meeting, occurrenceId);
  if (isReply(occurrence)) return occurrence;
  const field = fieldNotForOccurrence(changes);
  if (field) return API_ERRORS.badField(field, `${field} cannot be changed for one occurrence; update the whole series instead.`);
  const limited = dailyLimit(ctx, meeting.hostId);
  if (limited) return limited;
  applyToOccurrence(occurrence, changes);
  return undefined;
}

function newHost(ctx: EmulatorContext, request: EmulatorRequest, meeting: Meeting, scheduleFor: string | undefined): User | Reply {
  const current = ctx.store.users.get(meeting.hostId);
  if (scheduleFor === undefined && current) return current;
  const caller = authenticate(ctx, request);
  if (isReply(caller)) return caller;
  const host = resolveUser(ctx, caller, scheduleFor ?? meeting.hostId);
  if (isReply(host)) return host;
  return hostRefusal(host) ?? scopeRefusal(caller, "updateMeeting", host.id) ?? host;
}

/** The series' occurrences after the change, or undefined when they stay as they are. */
function seriesAfter(meeting: Meeting, changes: MeetingChanges): ReturnType<typeof expandOccurrences> | undefined {
  const type = changes.type ?? meeting.type;
  const recurrence = changes.recurrence ?? meeting.recurrence;
  if (type !== 8 || !recurrence) return type === 8 ? undefined : { occurrences: [] };
  const touched = ["type", "recurrence", "startTime", "duration", "timezone"].some((key) => key in changes);
  if (!touched) return undefined;
  const expanded = expandOccurrences(
    recurrence,
    changes.startTime ?? meeting.startTime,
    changes.timezone ?? meeting.timezone,
    changes.duration ?? meeting.duration,
  );
  return "errors" in expanded ? expanded : { occurrences: carryOver(meeting.occurrences, expanded.occurrences) };
}

function applyChanges(
  ctx: EmulatorContext,
  meeting: Meeting,
  host: User,
  changes: MeetingChanges,
  occurrences: Occurrence[] | undefined,
): void {
  const { settings, defaultPassword, recurrence, scheduleFor: _, password, ...rest } = changes;
  Object.assign(meeting, rest);
  meeting.hostId = host.id;
  if (settings) meeting.settings = { ...meeting.settings, ...settings };
  if (recurrence) meeting.recurrence = recurrence;
  if (meeting.type !== 8 && meeting.type !== 3) meeting.recurrence = undefined;
  if (occurrences) meeting.occurrences = occurrences;
  if (password !== undefined || (defaultPassword && meeting.password === undefined)) {
    const accountAllows = ctx.store.accounts.get(meeting.accountId)?.meetingPasswords !== false;
    const chosen = choosePasscode(host, password, defaultPassword === true, accountAllows);
    meeting.password = chosen.password;
    meeting.passwordSource = chosen.source;
  }
  const secured = secureSettings(meeting.settings, meeting.password);
  meeting.settings = secured.settings;
  meeting.waitingRoomForced ||= secured.forced;
}

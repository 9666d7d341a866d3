import { admit, resolveUser, scopeRefusal } from "./api-auth.ts";
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { type EmulatorRequest, emptyReply, isReply, type Reply, rawJsonReply } from "./http-core.ts";
import { mintStartKey } from "./meeting-links.ts";
import { DEFAULT_SETTINGS, type MeetingChanges, meetingJson, parseMeetingBody } from "./meeting-body.ts";
import type { Meeting, User } from "./store.ts";

const DEFAULT_DURATION_MINUTES = 60;

/** `POST /v2/users/{userId}/meetings` -> 201 with the meeting. */
export function createMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admit(ctx, request, "medium");
  if (isReply(caller)) return caller;
  const host = resolveUser(ctx, caller, request.params.userId ?? "");
  if (isReply(host)) return host;
  const refusal = scopeRefusal(caller, "createMeeting", host.id);
  if (refusal) return refusal;
  const changes = readBody(request, hostZone(ctx, host));
  if (isReply(changes)) return changes;
  const limited = dailyLimit(ctx, host.id);
  if (limited) return limited;
  const meeting = newMeeting(ctx, host, changes);
  ctx.store.meetings.set(meeting.id, meeting);
  return rawJsonReply(201, renderMeeting(ctx, meeting));
}

/** `GET /v2/meetings/{meetingId}` -> 200, with a fresh start_url. */
export function getMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "readMeeting");
  if (isReply(found)) return found;
  if (found.status === "finished") return API_ERRORS.meetingNotFound(found.id);
  return rawJsonReply(200, renderMeeting(ctx, found));
}

/** `PATCH /v2/meetings/{meetingId}` -> 204 and no body; counts towards the daily 100. */
export function updateMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "updateMeeting");
  if (isReply(found)) return found;
  if (found.status === "finished") return API_ERRORS.meetingNotFound(found.id);
  const changes = readBody(request, found.timezone);
  if (isReply(changes)) return changes;
  const limited = dailyLimit(ctx, found.hostId);
  if (limited) return limited;
  const { settings, ...rest } = changes;
  Object.assign(found, rest);
  if (settings) found.settings = { ...found.settings, ...settings };
  return emptyReply(204);
}

/** `DELETE /v2/meetings/{meetingId}` -> 204; 3001 gone, 3002 in progress, 3007 ended. */
export function deleteMeeting(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "deleteMeeting");
  if (isReply(found)) return found;
  if (found.status === "started") return API_ERRORS.meetingInProgress(found.id);
  if (found.status === "finished") return API_ERRORS.meetingEnded(found.id);
  found.deleted = true;
  return emptyReply(204);
}

function findMeeting(
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

function dailyLimit(ctx: EmulatorContext, hostId: string): Reply | undefined {
  return ctx.behaviour.rateLimits ? ctx.limiter.takeDailyMeetingWrite(hostId, ctx.clock.now()) : undefined;
}

/** ZOOM.md: without `Z` and without `timezone`, the account's time zone. */
function hostZone(ctx: EmulatorContext, host: User): string {
  return ctx.store.accountTimezone(host.accountId);
}

function newMeeting(ctx: EmulatorContext, host: User, changes: MeetingChanges): Meeting {
  const account = ctx.store.accounts.get(host.accountId);
  const now = ctx.clock.now();
  return {
    id: ctx.ids.meetingId(),
    uuid: ctx.ids.uuid(),
    hostId: host.id,
    accountId: host.accountId,
    createdAt: now,
    topic: changes.topic ?? "Zoom meeting",
    type: changes.type ?? 2,
    startTime: changes.startTime ?? now,
    duration: changes.duration ?? DEFAULT_DURATION_MINUTES,
    timezone: changes.timezone ?? hostZone(ctx, host),
    agenda: changes.agenda ?? "",
    password: account?.meetingPasswords === false ? undefined : (changes.password ?? ctx.ids.password()),
    settings: { ...DEFAULT_SETTINGS, ...changes.settings },
    status: "waiting",
    deleted: false,
  };
}

/** Serialises a meeting with a start_url that works for 2 hours from now. */
function renderMeeting(ctx: EmulatorContext, meeting: Meeting): string {
  const key = mintStartKey(ctx, meeting.id);
  const base = ctx.baseUrl();
  const pwd = meeting.password === undefined ? "" : `?pwd=${Buffer.from(meeting.password).toString("base64url")}`;
  const hostEmail = ctx.store.users.get(meeting.hostId)?.email ?? "";
  return meetingJson(meeting, { hostEmail, startUrl: `${base}/s/${meeting.id}?zak=${key}`, joinUrl: `${base}/j/${meeting.id}${pwd}` });
}

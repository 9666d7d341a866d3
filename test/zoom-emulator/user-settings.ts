import { admit, resolveUser, scopeRefusal } from "./api-auth.ts";
import type { EmulatorContext } from "./context.ts";
import { type EmulatorRequest, isReply, jsonReply, type Reply } from "./http-core.ts";
import type { User } from "./store.ts";

/**
 * `GET /v2/users/{userId}/settings` (Zoom's "Get user settings", light, user read scope): the part
 * a booking product reads. Zoom's schema puts the passcode rules in
 * `meeting_security.meeting_password_requirement`; older answers carried them in `schedule_meeting`
 * too, so the emulator sends both (same object). `meeting_authentication` sits in
 * `meeting_security` here (NB: an emulator choice; Zoom also has a separate authentication option).
 */
export function getUserSettings(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admit(ctx, request, "light");
  if (isReply(caller)) return caller;
  const user = resolveUser(ctx, caller, request.params.userId ?? "");
  if (isReply(user)) return user;
  return scopeRefusal(caller, "readUser", user.id) ?? jsonReply(200, userSettingsJson(user));
}

export function userSettingsJson(user: User): Record<string, unknown> {
  const { passcode } = user;
  const requirement = { ...passcode.requirement };
  return {
    schedule_meeting: {
      require_password_for_scheduling_new_meetings: passcode.requireForNewMeetings,
      require_password_for_scheduled_meetings: passcode.requireForNewMeetings,
      ...(passcode.defaultPassword === undefined ? {} : { default_password_for_scheduled_meetings: passcode.defaultPassword }),
      meeting_password_requirement: requirement,
      host_video: false,
      participants_video: false,
      join_before_host: false,
    },
    meeting_security: {
      meeting_password: passcode.requireForNewMeetings,
      require_password_for_scheduled_meeting: passcode.requireForNewMeetings,
      meeting_password_requirement: requirement,
      waiting_room: false,
      meeting_authentication: user.meetingAuthentication,
      embed_password_in_join_link: true,
    },
    feature: { meeting_capacity: 100, large_meeting: false, webinar: false },
    in_meeting: { waiting_room: false },
  };
}

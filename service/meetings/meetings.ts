import type { Logger } from "pino";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { HostDirectory } from "../hosts/hosts.ts";
import { generatePasscode } from "../hosts/passcode.ts";
import type { OrganizationSettingsStore } from "../settings/organization-settings.ts";
import type { ZoomApi } from "../zoom/zoom-api.ts";
import type { IdempotencyStore } from "./idempotency-store.ts";
import { addressesOf } from "./join-details.ts";
import type { ResolvedStart } from "./meeting-time.ts";
import { zoomRecurrence } from "./recurrence.ts";
import type { CreateMeetingRequest, Meeting } from "./schemas.ts";
import { toMeeting, ZOOM_RECURRING_TYPE } from "./zoom-meeting.ts";

/** What every meeting operation shares: reading a meeting, and the Zoom bodies create and update share. */

export interface MeetingsDeps {
  readonly zoom: Pick<ZoomApi, "call">;
  readonly idempotency: IdempotencyStore;
  readonly hosts: HostDirectory;
  readonly settings: OrganizationSettingsStore;
  /** Wall clock for records and leases (ms). */
  readonly clock: () => number;
  /** For jitter only; secrets use node:crypto. */
  readonly random: () => number;
  readonly logger: Pick<Logger, "info" | "warn" | "error" | "child">;
}

type Settings = CreateMeetingRequest["settings"];

export function zoomSettings(settings: Settings, alternativeHosts: readonly string[] | undefined): Record<string, unknown> | undefined {
  const out = dropUndefined({
    waiting_room: settings?.waitingRoom,
    join_before_host: settings?.joinBeforeHost,
    mute_upon_entry: settings?.muteOnEntry,
    auto_recording: settings?.autoRecording,
    meeting_authentication: settings?.meetingAuthentication,
    alternative_hosts: alternativeHosts?.join(";"),
  });
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The passcode fields of a create: `default_password` is the only way to get the account's default. */
export async function zoomPassword(deps: MeetingsDeps, request: CreateMeetingRequest, hostId: string): Promise<Record<string, unknown>> {
  const policy = request.password?.policy ?? "accountDefault";
  if (request.password?.policy === "custom") return { password: request.password.value };
  if (policy === "accountDefault") return { default_password: true };
  return { password: generatePasscode(await deps.hosts.passcodeRules(request.organizationId, hostId)) };
}

/**
 * Zoom's create body: type 2 (scheduled) or 8 (recurring with a fixed time), local start without
 * `Z` plus `timezone` (meeting-time.ts). NB: meeting_authentication is always sent (false unless
 * asked): an account default of true would lock out booking clients without a Zoom account.
 */
export function zoomCreateBody(
  request: CreateMeetingRequest,
  start: ResolvedStart,
  password: Record<string, unknown>,
): Record<string, unknown> {
  return dropUndefined({
    topic: request.topic,
    type: request.recurrence ? ZOOM_RECURRING_TYPE : 2,
    start_time: start.zoomStartTime,
    timezone: start.timeZone,
    duration: request.durationMinutes,
    agenda: request.agenda,
    recurrence: request.recurrence ? zoomRecurrence(request.recurrence, start.timeZone) : undefined,
    ...password,
    settings: zoomSettings({ meetingAuthentication: false, ...request.settings }, request.alternativeHosts),
  });
}

export function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Zoom wants licensed users of the same account as alternative hosts: each is checked like the host. */
export async function checkAlternativeHosts(
  deps: MeetingsDeps,
  organizationId: string,
  hosts: readonly string[] | undefined,
): Promise<void> {
  await Promise.all((hosts ?? []).map((host, i) => deps.hosts.check(organizationId, host, `alternativeHosts.${i}`)));
}

export const meetingPath = (id: string) => `/meetings/${encodeURIComponent(id)}`;

/** The meeting as Zoom has it now, with a fresh start URL (start URLs expire after 2 hours) and the invitation. */
export async function getMeeting(deps: MeetingsDeps, organizationId: string, id: string): Promise<Meeting> {
  const [result, invitation] = await Promise.all([
    deps.zoom.call({ organizationId, method: "GET", path: meetingPath(id), retry: "idempotent" }),
    readInvitation(deps, organizationId, id),
  ]);
  return toMeeting(result.json, result.status, invitation);
}

/** The meeting as Zoom answered it, plus the invitation when it lacks one. */
export async function withInvitation(deps: MeetingsDeps, organizationId: string, meeting: Meeting): Promise<Meeting> {
  if (meeting.invitation !== null) return meeting;
  const invitation = await readInvitation(deps, organizationId, meeting.id);
  return invitation === null ? meeting : { ...meeting, invitation, joinDetails: { ...meeting.joinDetails, ...addressesOf(invitation) } };
}

/**
 * `GET /meetings/{id}/invitation`. NB: the invitation is a convenience: when Zoom refuses or fails
 * it, the meeting is still answered (invitation null), never a failed create.
 */
async function readInvitation(deps: MeetingsDeps, organizationId: string, id: string): Promise<string | null> {
  try {
    const result = await deps.zoom.call({ organizationId, method: "GET", path: `${meetingPath(id)}/invitation`, retry: "idempotent" });
    const text = (result.json as { invitation?: unknown } | undefined)?.invitation;
    return typeof text === "string" ? text : null;
  } catch (error) {
    if (error instanceof ServiceError && error.code === ErrorCode.NotFound) throw error;
    deps.logger.warn({ meetingId: id, code: (error as ServiceError).code }, "zoom invitation unavailable");
    return null;
  }
}

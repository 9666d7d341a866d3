import type { EmulatorContext } from "./context.ts";
import { type EmulatorRequest, isReply, jsonReply, type Reply } from "./http-core.ts";
import { joinUrl } from "./meeting-links.ts";
import { findMeeting } from "./meetings.ts";
import { phonePasscode } from "./passcodes.ts";
import type { DialInNumber } from "./seed.ts";
import type { Meeting } from "./store.ts";
import { formatUtc } from "./zoom-time.ts";

/**
 * `GET /v2/meetings/{meetingId}/invitation` (Zoom's "Get meeting invitation", meeting read scope)
 * -> 200 `{invitation, sip_links}` (the Rivet SDK's response type). Zoom documents only that the
 * text is the invitation note; its layout here
 * follows the invitations Zoom sends (join URL, meeting id in groups, passcode, one-tap and
 * per-location dial-in with the numeric phone passcode, SIP and H.323), which clients parse.
 */
const H323_ADDRESSES = ["162.255.37.11 (US West)", "162.255.36.11 (US East)", "213.19.144.110 (Amsterdam Netherlands)"];

export function getInvitation(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const found = findMeeting(ctx, request, "readMeeting");
  if (isReply(found)) return found;
  const host = ctx.store.users.get(found.hostId);
  const dialIn = ctx.store.accounts.get(found.accountId)?.dialInNumbers ?? [];
  const inviter = host ? `${host.firstName} ${host.lastName}` : "Zoom";
  const invitation = invitationText(found, inviter, joinUrl(ctx, found.id, found.password), dialIn);
  return jsonReply(200, { invitation, sip_links: [sipAddress(found)] });
}

function sipAddress(meeting: Meeting): string {
  return `${meeting.id}@zoomcrc.com`;
}

/** `12345678901` -> `123 4567 8901`, as Zoom prints meeting ids. */
export function groupedId(id: string): string {
  return id.length > 7 ? `${id.slice(0, 3)} ${id.slice(3, id.length - 4)} ${id.slice(-4)}` : id;
}

export function invitationText(meeting: Meeting, inviter: string, url: string, dialIn: readonly DialInNumber[]): string {
  const phone = meeting.password === undefined ? undefined : phonePasscode(meeting.password);
  const passcodeLine = meeting.password === undefined ? [] : [`Passcode: ${meeting.password}`];
  const phoneLine = phone === undefined ? [] : [`Passcode: ${phone}`];
  const lines = [
    `${inviter} is inviting you to a scheduled Zoom meeting.`,
    "",
    `Topic: ${meeting.topic}`,
    `Time: ${formatUtc(meeting.startTime)} (${meeting.timezone})`,
    ...occurrenceLines(meeting),
    "",
    "Join Zoom Meeting",
    url,
    "",
    `Meeting ID: ${groupedId(meeting.id)}`,
    ...passcodeLine,
    "",
    "---",
    "",
    "One tap mobile",
    ...dialIn
      .slice(0, 2)
      .map(
        (n) =>
          `${n.number.replace(/\s/g, "")},,${meeting.id}#${phone === undefined ? "" : `,,,,*${phone}#`} ${n.country_name}${n.city ? ` (${n.city})` : ""}`,
      ),
    "",
    "---",
    "",
    "Dial by your location",
    ...dialIn.map((n) => `• ${n.number} ${n.country_name}${n.city ? ` (${n.city})` : ""}${n.type === "tollfree" ? " Toll-free" : ""}`),
    "",
    `Meeting ID: ${groupedId(meeting.id)}`,
    ...phoneLine,
    "",
    "Join by SIP",
    `• ${sipAddress(meeting)}`,
    "",
    "Join by H.323",
    ...H323_ADDRESSES.map((address) => `• ${address}`),
    "",
    `Meeting ID: ${groupedId(meeting.id)}`,
    ...phoneLine,
    "",
  ];
  return lines.join("\r\n");
}

function occurrenceLines(meeting: Meeting): string[] {
  const live = meeting.occurrences.filter((o) => o.status === "available");
  if (live.length === 0) return [];
  return [`        ${live.length} occurrence(s)`, ...live.map((o) => `        ${formatUtc(o.startTime)}`)];
}

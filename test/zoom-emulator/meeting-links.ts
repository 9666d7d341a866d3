import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { EmulatorContext } from "./context.ts";
import { type EmulatorRequest, escapeHtml, htmlReply, type Reply } from "./http-core.ts";

/** A start_url is good for 2 hours (ZOOM.md): fetch a fresh one with GET when the host needs it. */
export const START_URL_TTL_MS = 2 * 60 * 60_000;

/** Keys sign their own expiry, so a benchmark doing millions of GETs does not grow a table. */
const KEY_SECRET = randomBytes(32);

function signature(meetingId: string, expiresAt: string): string {
  return createHmac("sha256", KEY_SECRET).update(`${meetingId}.${expiresAt}`).digest("base64url");
}

/** The `zak` of a start_url minted now: `<expiry base36>.<signature>`. */
export function mintStartKey(ctx: EmulatorContext, meetingId: string): string {
  const expiresAt = (ctx.clock.now() + START_URL_TTL_MS).toString(36);
  return `${expiresAt}.${signature(meetingId, expiresAt)}`;
}

function startKeyValid(ctx: EmulatorContext, meetingId: string, key: string): boolean {
  const [expiresAt = "", given = ""] = key.split(".");
  const expected = Buffer.from(signature(meetingId, expiresAt));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) && Number.parseInt(expiresAt, 36) > ctx.clock.now();
}

/**
 * `GET /s/{meetingId}?zak=..`: the host's start_url. A key older than 2 hours is refused, as
 * Zoom's is; a good one starts the meeting (so DELETE then answers 3002, "in progress").
 */
export function startPage(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const id = request.params.meetingId ?? "";
  const meeting = ctx.store.meetings.get(id);
  if (!startKeyValid(ctx, id, request.query.get("zak") ?? "") || !meeting || meeting.deleted)
    return htmlReply(401, "<!doctype html><h1>This meeting link has expired.</h1><p>Get a new start link from the meeting's host.</p>");
  if (meeting.status === "waiting") meeting.status = "started";
  return htmlReply(200, `<!doctype html><h1>Meeting ${escapeHtml(meeting.id)} started</h1>`);
}

/** `GET /j/{meetingId}`: the join_url; only says whether the meeting exists. */
export function joinPage(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const meeting = ctx.store.meetings.get(request.params.meetingId ?? "");
  if (!meeting || meeting.deleted) return htmlReply(404, "<!doctype html><h1>This meeting ID is not valid.</h1>");
  return htmlReply(200, `<!doctype html><h1>Join ${escapeHtml(meeting.topic)}</h1>`);
}

/** The join_url: the passcode rides along encoded (`?pwd=`), as Zoom's links carry it. */
export function joinUrl(ctx: EmulatorContext, meetingId: string, password: string | undefined): string {
  const pwd = password === undefined ? "" : `?pwd=${Buffer.from(password).toString("base64url")}`;
  return `${ctx.baseUrl()}/j/${meetingId}${pwd}`;
}

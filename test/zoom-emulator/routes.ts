import type { EmulatorContext } from "./context.ts";
import type { EmulatorRequest, Reply } from "./http-core.ts";
import { joinPage, startPage } from "./meeting-links.ts";
import { listMeetings } from "./meeting-list.ts";
import { createApp, deleteApp, getManifest, listApps, putManifest } from "./marketplace.ts";
import { createMeeting, deleteMeeting, getMeeting, updateMeeting } from "./meetings.ts";
import { getInvitation } from "./invitation.ts";
import { authorizeApprove, authorizePage } from "./oauth-authorize.ts";
import { revokeEndpoint, tokenEndpoint } from "./oauth-token.ts";
import { getUserSettings } from "./user-settings.ts";
import { getUser, listUsers } from "./users.ts";

export type Handler = (ctx: EmulatorContext, request: EmulatorRequest) => Reply;

interface Route {
  /** `"GET /v2/meetings/{meetingId}"`: the name faults and request counts use. */
  readonly key: string;
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

function route(method: string, pattern: string, handler: Handler): Route {
  return { key: `${method} ${pattern}`, method, segments: pattern.split("/").slice(1), handler };
}

/** Every route the emulator serves; OAuth and the API share one origin (the API under /v2). */
export const ROUTES: readonly Route[] = [
  route("GET", "/oauth/authorize", authorizePage),
  route("POST", "/oauth/authorize", authorizeApprove),
  route("POST", "/oauth/token", tokenEndpoint),
  route("POST", "/oauth/revoke", revokeEndpoint),
  route("GET", "/v2/users", listUsers),
  route("GET", "/v2/users/{userId}", getUser),
  route("GET", "/v2/users/{userId}/settings", getUserSettings),
  route("POST", "/v2/users/{userId}/meetings", createMeeting),
  route("GET", "/v2/users/{userId}/meetings", listMeetings),
  route("GET", "/v2/meetings/{meetingId}", getMeeting),
  route("PATCH", "/v2/meetings/{meetingId}", updateMeeting),
  route("DELETE", "/v2/meetings/{meetingId}", deleteMeeting),
  route("GET", "/v2/meetings/{meetingId}/invitation", getInvitation),
  route("POST", "/v2/marketplace/apps", createApp),
  route("GET", "/v2/marketplace/apps", listApps),
  route("GET", "/v2/marketplace/apps/{appId}/manifest", getManifest),
  route("PUT", "/v2/marketplace/apps/{appId}/manifest", putManifest),
  route("DELETE", "/v2/marketplace/apps/{appId}", deleteApp),
  route("GET", "/s/{meetingId}", startPage),
  route("GET", "/j/{meetingId}", joinPage),
];

export const ROUTE_KEYS: readonly string[] = ROUTES.map((r) => r.key);

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.split("/").slice(1);
  for (const candidate of ROUTES) {
    if (candidate.method !== method || candidate.segments.length !== segments.length) continue;
    const params = matchSegments(candidate.segments, segments);
    if (params) return { route: candidate, params };
  }
  return undefined;
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] ?? "";
    const got = actual[i] ?? "";
    if (want.startsWith("{")) {
      if (got === "") return undefined;
      params[want.slice(1, -1)] = safeDecode(got);
    } else if (want !== got) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // NB: a malformed escape stays as sent; the handler then answers "not found".
    return segment;
  }
}

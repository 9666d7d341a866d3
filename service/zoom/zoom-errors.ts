import { ErrorCode, ServiceError } from "../errors.ts";
import { parseZoomJson } from "./zoom-json.ts";

/** What Zoom answered, before interpretation. Header names are lower-case. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** Zoom's numbered REST errors this service reacts to (ZOOM.md "Errors"). */
export const ZoomCode = {
  InvalidToken: 124,
  Validation: 300,
  UserNotFound: 1001,
  UserNotOnAccount: 1010,
  MeetingNotFound: 3001,
  MeetingInProgress: 3002,
  NotMeetingHost: 3003,
  MeetingEnded: 3007,
  MissingScopes: 4711,
  /** "Meeting hosting and scheduling capabilities are not allowed for your user account." (deactivated host). */
  HostingNotAllowed: 3161,
  InvalidAlternativeHost: 1114,
  AlternativeHostNotLicensed: 1115,
} as const;

interface ZoomErrorBody {
  readonly code: number | undefined;
  readonly message: string;
  readonly errors: unknown;
}

export function zoomErrorBody(text: string): ZoomErrorBody | undefined {
  const parsed = parseZoomJson(text);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return undefined;
  const body = parsed.value as Record<string, unknown>;
  return { code: typeof body.code === "number" ? body.code : undefined, message: String(body.message ?? ""), errors: body.errors };
}

export function isInvalidToken(answer: UpstreamAnswer): boolean {
  return answer.status === 401 && zoomErrorBody(answer.text)?.code === ZoomCode.InvalidToken;
}

/**
 * Zoom's two 429s need opposite reactions: the per-second one clears in a second (retry), the
 * daily per-host cap only at 00:00 UTC (retrying burns more, ZOOM.md). Headers are unreliable, so
 * the type header *and* the message decide.
 */
export function isDailyLimit(answer: UpstreamAnswer): boolean {
  if (answer.status !== 429) return false;
  const type = String(answer.headers["x-ratelimit-type"] ?? "").toLowerCase();
  return type.startsWith("daily") || /daily rate limit/i.test(zoomErrorBody(answer.text)?.message ?? "");
}

export function isPerSecondLimit(answer: UpstreamAnswer): boolean {
  return answer.status === 429 && !isDailyLimit(answer);
}

/** Seconds until the next 00:00 UTC, at least 1. */
export function secondsToUtcMidnight(now: number): { readonly seconds: number; readonly resetAt: string } {
  const day = new Date(now);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
  return { seconds: Math.max(1, Math.ceil((midnight - now) / 1000)), resetAt: new Date(midnight).toISOString() };
}

/** The ServiceError for a non-2xx answer (after any retries and the one token refresh). */
export function upstreamError(answer: UpstreamAnswer, now: number): ServiceError {
  const status = answer.status;
  if (isDailyLimit(answer)) {
    const reset = secondsToUtcMidnight(now);
    return new ServiceError(
      ErrorCode.ZoomDailyLimit,
      "The host reached Zoom's daily limit of 100 meeting creates/updates; it resets at 00:00 UTC.",
      {
        retryAfterSeconds: reset.seconds,
        details: { resetAt: reset.resetAt },
      },
    );
  }
  if (status === 429)
    return new ServiceError(ErrorCode.ZoomRateLimited, "Zoom's per-second rate limit for the account is exhausted.", {
      retryAfterSeconds: 1,
    });
  const body = zoomErrorBody(answer.text);
  if (!body) return badResponse(status, "error body is not JSON");
  if (status >= 500)
    return new ServiceError(ErrorCode.ZoomUnavailable, `Zoom answered ${status}.`, {
      details: { zoomStatus: status, zoomCode: body.code },
    });
  return byZoomCode(status, body);
}

function byZoomCode(status: number, body: ZoomErrorBody): ServiceError {
  const zoom = { zoomStatus: status, zoomCode: body.code, zoomMessage: body.message };
  switch (body.code) {
    case ZoomCode.InvalidToken:
      return new ServiceError(
        ErrorCode.ReauthorizationRequired,
        "Zoom rejected the connection's tokens: an admin must connect Zoom again.",
        { details: zoom },
      );
    case ZoomCode.MissingScopes:
      return new ServiceError(
        ErrorCode.MissingScopes,
        "The Zoom app lacks a scope this operation needs: add it in the Marketplace and reconnect.",
        { details: zoom },
      );
    case ZoomCode.MeetingNotFound:
      return new ServiceError(ErrorCode.NotFound, "The meeting does not exist in Zoom (deleted or ended).", { details: zoom });
    case ZoomCode.MeetingInProgress:
      return new ServiceError(ErrorCode.MeetingInProgress, "The meeting is in progress; Zoom refuses to delete it.", { details: zoom });
    case ZoomCode.MeetingEnded:
      return new ServiceError(ErrorCode.MeetingEnded, "The meeting has ended; Zoom refuses to delete it.", { details: zoom });
    case ZoomCode.HostingNotAllowed:
      return hostRefused("host", "deactivated", zoom);
    case ZoomCode.InvalidAlternativeHost:
      return hostRefused("alternativeHosts", "notInAccount", zoom);
    case ZoomCode.AlternativeHostNotLicensed:
      return hostRefused("alternativeHosts", "basic", zoom);
    case ZoomCode.UserNotFound:
    case ZoomCode.UserNotOnAccount:
      return new ServiceError(ErrorCode.BadRequest, `host: ${body.message}`, { details: { field: "host", ...zoom } });
    default:
      return new ServiceError(ErrorCode.ZoomRejected, `Zoom refused the request: ${body.message}`, {
        details: { ...zoom, errors: body.errors },
      });
  }
}

/** Zoom's own refusal of a host (the service checks first; this covers a change in between). */
function hostRefused(field: string, reason: string, zoom: Record<string, unknown>): ServiceError {
  return new ServiceError(ErrorCode.HostCannotHost, `${field}: Zoom refused the host: ${String(zoom.zoomMessage)}`, {
    details: { field, reason, ...zoom },
  });
}

export function badResponse(status: number, reason: string): ServiceError {
  return new ServiceError(ErrorCode.ZoomBadResponse, `Zoom answered ${status} with a body that is not the expected JSON (${reason}).`, {
    details: { zoomStatus: status },
  });
}

/**
 * Zoom refused (124) an access token the grant had just produced. The grant lives (a dead grant
 * cannot refresh: that answers REAUTHORIZATION_REQUIRED from the refresh), so this is transient:
 * a token that expired at once (a clock jump at Zoom) or Zoom's own hiccup. Never "reconnect".
 */
export function freshTokenRefused(status: number): ServiceError {
  return new ServiceError(ErrorCode.ZoomUnavailable, "Zoom refused a freshly refreshed access token; retry shortly.", {
    retryAfterSeconds: 1,
    details: { zoomStatus: status, zoomCode: ZoomCode.InvalidToken },
  });
}

export function networkError(cause: unknown): ServiceError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return new ServiceError(ErrorCode.ZoomUnavailable, `Zoom could not be reached (${typeof code === "string" ? code : "network error"}).`, {
    cause,
  });
}

/** A failure after which Zoom may or may not have acted (timeout, reset, 5xx, unreadable answer). */
export function isAmbiguous(error: unknown): boolean {
  return error instanceof ServiceError && (error.code === ErrorCode.ZoomUnavailable || error.code === ErrorCode.ZoomBadResponse);
}

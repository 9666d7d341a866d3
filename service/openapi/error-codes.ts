import type { ErrorCode } from "../errors.ts";

/** Every error code the API answers with, as the booking app should read it (Record: none missing). */
export const ERROR_CODE_DOCS: Readonly<Record<ErrorCode, string>> = {
  BAD_REQUEST:
    "400: a field is missing, malformed or unknown; `details.field` names its path (e.g. `body.settings.waitingRoom`, `query.organizationId`, `path.id`, `header`), including `body.host` when the hostPolicy is required and no host is named. Impossible dates and times (a 30th of February, 24:61) and time-zone aliases are refused here, never rolled over.",
  UNAUTHORIZED: "401: missing or wrong bearer token (the `<name>-zoom-api-token` Secret).",
  NOT_FOUND:
    "404: no such route, or an occurrence (occurrenceId) that does not exist in a series that does; a meeting that no longer exists answers MEETING_GONE.",
  PAYLOAD_TOO_LARGE: "413: the body exceeds 16 KiB (16384 bytes is accepted, 16385 is not); `details.field` is `body`.",
  CONNECTION_MISSING: "409: the organization has not connected Zoom yet: start the connection flow.",
  REAUTHORIZATION_REQUIRED: "409: Zoom revoked or killed the connection's grant: an admin must connect Zoom again. Retrying does not help.",
  MISSING_SCOPES: "409: the Zoom app lacks a scope this call needs (e.g. meeting delete under granular scopes): fix the app, reconnect.",
  IDEMPOTENCY_IN_PROGRESS:
    "409: another request with the same Idempotency-Key / booking id is still creating the meeting, or Zoom's answer to a create was lost and whether it created the meeting is not settled yet (the claim stays pending; a retry after Retry-After searches for it before creating anything); retry after Retry-After.",
  IDEMPOTENCY_KEY_REUSED: "422: the Idempotency-Key / booking id was used with a different request body.",
  IDEMPOTENCY_STORE_UNAVAILABLE:
    "503: the idempotency store (its shard ConfigMaps) or the state ConfigMap (organization settings) cannot be read or written: `details.reason` is full (the key's shard is at its size limit), conflict (contended) or kubernetes (API server unreachable or refusing); nothing was created. Retry after Retry-After.",
  EVENTS_STORE_UNAVAILABLE:
    "503: the event log (its shard ConfigMaps) or the endpoint registration (in the tokens Secret) cannot be read or written: `details.reason` is full (undelivered events fill the organization's shard), conflict (contended) or kubernetes (API server unreachable or refusing); nothing was changed. Retry after Retry-After.",
  KUBERNETES_UNAVAILABLE:
    "503: the Kubernetes API server, where the service keeps tokens, settings and idempotency records, is unreachable or overloaded (restarting, upgrading); retry after Retry-After (with the same Idempotency-Key for a create).",
  MEETING_GONE:
    "404: GET or PATCH of a meeting (or series) that no longer exists in Zoom (deleted there, or expired). Its booking's idempotency record is released: a create with the same Idempotency-Key / booking id makes a new meeting.",
  MEETING_IN_PROGRESS: "409: the meeting is running; Zoom refuses to delete it.",
  MEETING_ENDED: "409: the meeting has ended; Zoom refuses to delete it.",
  AMBIGUOUS_TIME:
    "400: startLocal does not exist (spring-forward gap; `details.laterValidLocal`) or exists twice (fall-back; `details.candidates`) in timeZone: send startInstant with an offset.",
  HOST_CANNOT_HOST:
    "422: the host cannot run Zoom meetings: `details.reason` is basic (no licence), deactivated, pending (invitation not accepted) or notInAccount; nothing was created.",
  ZOOM_DAILY_LIMIT:
    "429: the host used Zoom's 100 meeting creates/updates for this UTC day; Retry-After points at 00:00 UTC (`details.resetAt`).",
  ZOOM_RATE_LIMITED: "503: Zoom's per-second limit for the account stayed exhausted after retries; retry after Retry-After.",
  ZOOM_UNAVAILABLE:
    "502: Zoom could not be reached, timed out or answered 5xx (after retries where safe), or refused an access token it had just issued (Retry-After 1: the connection is fine). A create is never left half-done: retry with the same key.",
  ZOOM_BAD_RESPONSE: "502: Zoom answered with a body that is not the expected JSON (e.g. an HTML error page).",
  ZOOM_REJECTED: "502: Zoom refused the request for a reason the service does not expect (`details.zoomCode`, `details.zoomMessage`).",
  INTERNAL: "500: a bug; the requestId finds the log line.",
};

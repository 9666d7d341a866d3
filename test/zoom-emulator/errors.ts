import { jsonReply, type Reply } from "./http-core.ts";

/**
 * The closed set of answers the emulator gives when something is refused. Each factory returns a
 * ready `Reply` with Zoom's exact body shape: `{reason, error}` on the OAuth token endpoint,
 * `{code, message[, errors]}` on the REST API.
 */

export type OAuthErrorKind = "invalid_grant" | "invalid_client" | "invalid_request" | "unsupported_grant_type";

export function oauthError(error: OAuthErrorKind, reason: string): Reply {
  return jsonReply(400, { reason, error }, { "cache-control": "no-store" });
}

/** Reasons of the token endpoint, with Zoom's numbered error where one exists. */
export const OAUTH_REASONS = {
  invalidClient: "Invalid client_id or client_secret",
  missingGrantType: "Unsupported grant type",
  invalidCode: "Invalid authorization code", // 4734
  expiredCode: "Authorization code is expired", // 4733
  redirectMismatch: "Redirect URI mismatch.", // 4709
  invalidVerifier: "Invalid code_verifier",
  invalidToken: "Invalid Token!", // reused, unknown, expired or revoked refresh token
  superseded: "Invalid Token! Only the last issued token is valid (4741)",
  userDeleted: "The token owner has been deleted (4735)",
  appDisabled: "The app has been disabled (4717)",
  appDisabledByAdmin: "The app has been disabled by the account admin (4738)",
} as const;

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export function apiError(status: number, code: number, message: string, errors?: FieldError[]): Reply {
  return jsonReply(status, errors ? { code, message, errors } : { code, message });
}

export const API_ERRORS = {
  invalidToken: () => apiError(401, 124, "Invalid access token."),
  expiredToken: () => apiError(401, 124, "Access token is expired."),
  validation: (errors: FieldError[]) => apiError(400, 300, "Validation Failed.", errors),
  badJson: () => apiError(400, 300, "Request Body should be a valid JSON object."),
  badField: (field: string, message: string) => apiError(400, 300, message, [{ field, message }]),
  userNotFound: (id: string) => apiError(404, 1001, `User does not exist: ${id}.`),
  userNotOnAccount: (id: string) => apiError(400, 1010, `User does not belong to this account: ${id}.`),
  meetingNotFound: (id: string) => apiError(404, 3001, `Meeting does not exist: ${id}.`),
  meetingInProgress: (id: string) => apiError(400, 3002, `Sorry, you cannot delete meeting ${id} while it is in progress.`),
  notMeetingHost: () => apiError(400, 3003, "You are not the meeting host."),
  meetingEnded: (id: string) => apiError(400, 3007, `Sorry, you cannot delete meeting ${id} since it has ended.`),
  missingScopes: (scopes: readonly string[]) =>
    apiError(400, 4711, `Invalid access token, does not contain scopes:[${scopes.join(", ")}].`),
  notFound: () => apiError(404, 404, "Not Found"),
} as const;

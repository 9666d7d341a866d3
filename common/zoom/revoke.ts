// Revoking one token at Zoom: the one implementation behind the operator's deletion (deletionPolicy
// Revoke) and the service's disconnect. `POST {oauthBaseUrl}/oauth/revoke` with the app's Basic
// client authentication and `token=<token>` as form data answers `{"status":"success"}` (ZOOM.md).
// Revoking is idempotent (a second revoke finds the token unknown), so retrying it is safe.
import { type Dispatcher, request } from "undici";
import { retry } from "../retry.ts";

export interface RevokeTokenProps {
  readonly oauthBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly dispatcher?: Dispatcher | undefined;
  /** Per try, for the headers and the body each; no further try starts after it either. Default 10 s. */
  readonly timeoutMs?: number | undefined;
  /** Tries in all while Zoom is unavailable. Default 1: the caller has its own retry (a queue, a client). */
  readonly attempts?: number | undefined;
  /** Waits between tries; tests pass one that does not wait. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Revoked: the grant is ended. InvalidToken: Zoom does not know the token (revoked, expired, never issued): nothing left to do. */
export type RevokeResult = "Revoked" | "InvalidToken";

export const RevokeErrorCode = {
  /** No answer in time, a network error, 429 or 5xx: trying again later may help. */
  Unavailable: "ZoomUnavailable",
  /** invalid_client, 401 or 403: the client id or secret is wrong or the app is disabled; retrying does not help. */
  ClientRejected: "ZoomClientRejected",
  /** Neither success nor an OAuth error (e.g. an HTML page from a wrong base URL): nothing says the token is gone. */
  BadResponse: "ZoomBadResponse",
} as const;
export type RevokeErrorCode = (typeof RevokeErrorCode)[keyof typeof RevokeErrorCode];

/** A revoke that did not happen. The message names no token and no secret. */
export class ZoomRevokeError extends Error {
  readonly code: RevokeErrorCode;
  readonly retryable: boolean;
  /** Zoom's HTTP status, when it answered. */
  readonly status: number | undefined;
  constructor(code: RevokeErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "ZoomRevokeError";
    this.code = code;
    this.retryable = code === RevokeErrorCode.Unavailable;
    this.status = options.status;
  }
}

/** Zoom's numbered errors for a bad client id or secret (ZOOM.md). */
const CLIENT_ERROR_CODES = [4702, 4704];

/** Revokes `token` (an access or a refresh token) at Zoom: a result, or a ZoomRevokeError. */
export async function revokeToken(props: RevokeTokenProps, token: string): Promise<RevokeResult> {
  const timeoutMs = props.timeoutMs ?? 10_000;
  return retry(async () => interpret(await post(props, token, timeoutMs)), {
    attempts: props.attempts ?? 1,
    baseMs: 250,
    maxMs: 2000,
    deadline: Date.now() + timeoutMs,
    retryable: (error) => error instanceof ZoomRevokeError && error.retryable,
    sleep: props.sleep,
  });
}

async function post(props: RevokeTokenProps, token: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const basic = Buffer.from(`${props.clientId}:${props.clientSecret}`).toString("base64");
  try {
    const res = await request(`${props.oauthBaseUrl.replace(/\/+$/, "")}/oauth/revoke`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ token }).toString(),
      dispatcher: props.dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    return { status: res.statusCode, text: await res.body.text() };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = typeof code === "string" ? code : "error";
    throw new ZoomRevokeError(RevokeErrorCode.Unavailable, `Zoom could not be reached (${why})`, { cause: error });
  }
}

/** Zoom's answer as a result, or the failure it stands for. */
function interpret({ status, text }: { status: number; text: string }): RevokeResult {
  if (status >= 200 && status < 300) return "Revoked";
  const fail = (code: RevokeErrorCode, message: string) => new ZoomRevokeError(code, message, { status });
  if (status === 429 || status >= 500) throw fail(RevokeErrorCode.Unavailable, `Zoom's revoke endpoint answered ${status}`);
  if (status === 401 || status === 403) throw fail(RevokeErrorCode.ClientRejected, `Zoom refused the client credentials (${status})`);
  const oauth = oauthError(text);
  if (!oauth) throw fail(RevokeErrorCode.BadResponse, `Zoom's revoke endpoint answered ${status} without an OAuth error`);
  if (oauth.error === "invalid_client" || (oauth.code !== undefined && CLIENT_ERROR_CODES.includes(oauth.code))) {
    throw fail(RevokeErrorCode.ClientRejected, `Zoom refused the client credentials (${oauth.error ?? oauth.code})`);
  }
  // NB: Zoom answers an unknown, expired or already revoked token with 400 invalid_request "Invalid Token!".
  if (status === 400) return "InvalidToken";
  throw fail(RevokeErrorCode.BadResponse, `Zoom's revoke endpoint answered ${status} (${oauth.error ?? oauth.code})`);
}

/** `{error, reason}` or Zoom's numbered `{code, message}`; undefined for anything else (HTML, XML, empty). */
function oauthError(text: string): { error?: string; code?: number } | undefined {
  let body: { error?: unknown; code?: unknown; reason?: unknown };
  try {
    body = Object(JSON.parse(text));
  } catch {
    return undefined; // NB: Zoom sometimes answers HTML or XML: a bad response, never a parse crash
  }
  const error = typeof body.error === "string" ? body.error : undefined;
  const numbered = typeof body.code === "number" ? body.code : Number(/\b(47\d\d)\b/.exec(String(body.reason ?? ""))?.[1]);
  const code = Number.isNaN(numbered) ? undefined : numbered;
  return error === undefined && code === undefined ? undefined : { error, code };
}

/**
 * Revokes a grant through the first of its tokens that Zoom still knows; "InvalidToken" when Zoom
 * knows none of them (the grant is already gone).
 * NB: an expired access token may be refused while the grant lives on: its refresh token names the same grant.
 */
export async function revokeFirstKnown(props: RevokeTokenProps, tokens: readonly string[]): Promise<RevokeResult> {
  for (const token of tokens) if ((await revokeToken(props, token)) === "Revoked") return "Revoked";
  return "InvalidToken";
}

// Zoom's OAuth endpoints and `GET /v2/users/me`, over undici with timeouts (revoking is shared with the
// operator: common/zoom/revoke.ts). Zoom sometimes answers with a non-JSON body: that is reported as
// ZOOM_BAD_RESPONSE, never a parse crash.
import { type Dispatcher, request } from "undici";
import { z } from "zod";
import { RevokeErrorCode, revokeFirstKnown, ZoomRevokeError } from "../../common/zoom/revoke.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import type { MountedSecrets } from "../runtime/mounted-secrets.ts";
import { parseScopes } from "../oauth/scopes.ts";

export interface ZoomOAuthProps {
  readonly oauthBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly redirectUrl: string;
  readonly secrets: MountedSecrets;
  readonly dispatcher?: Dispatcher | undefined;
  /** Per request (headers and body each), default 10 s. */
  readonly timeoutMs?: number;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresInSeconds: number;
  readonly scopes: string[];
  readonly apiUrl: string;
}

/** Zoom's numbered OAuth errors that mean "an admin must consent again" (ZOOM.md). */
const REAUTHORIZE_CODES = [4735, 4737, 4738, 4741];

/** The token endpoint refused (HTTP 400 `{reason, error}`). */
export class ZoomOAuthError extends Error {
  readonly status: number;
  readonly error: string;
  /** Zoom's human-readable reason (no secrets). */
  readonly reason: string;
  readonly zoomCode: number | undefined;
  constructor(status: number, error: string, reason: string, zoomCode: number | undefined) {
    super(`Zoom refused: ${error}${reason ? ` (${reason})` : ""}`);
    this.name = "ZoomOAuthError";
    this.status = status;
    this.error = error;
    this.reason = reason;
    this.zoomCode = zoomCode;
  }
  /** invalid_grant, 4735, 4737, 4741: the grant is gone; only a new consent helps. */
  get requiresReauthorization(): boolean {
    return this.error === "invalid_grant" || (this.zoomCode !== undefined && REAUTHORIZE_CODES.includes(this.zoomCode));
  }
}

/** The REST API refused (`{code, message}`); code 124 = invalid or expired access token. */
export class ZoomApiError extends Error {
  readonly status: number;
  readonly zoomCode: number | undefined;
  constructor(status: number, zoomCode: number | undefined, message: string) {
    super(`Zoom API answered ${status}${zoomCode === undefined ? "" : ` (${zoomCode})`}: ${message}`);
    this.name = "ZoomApiError";
    this.status = status;
    this.zoomCode = zoomCode;
  }
}

const TokenBody = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
  api_url: z.string().optional(),
});
const OAuthErrorBody = z.object({ error: z.string().optional(), reason: z.string().optional(), code: z.number().optional() });
const ApiErrorBody = z.object({ code: z.number().optional(), message: z.string().optional() });
const Me = z.object({ id: z.string().min(1), account_id: z.string().min(1) });

export interface ZoomOAuthClient {
  exchangeCode(code: string, verifier: string): Promise<TokenSet>;
  /** `signal` is the refresh's one overall deadline (connect, headers and body). */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<TokenSet>;
  /** Revokes the grant through the first of its tokens Zoom knows; false when Zoom knows none (already gone). */
  revoke(...tokens: string[]): Promise<boolean>;
  me(apiUrl: string, accessToken: string): Promise<{ userId: string; accountId: string }>;
}

export function createZoomOAuthClient(props: ZoomOAuthProps): ZoomOAuthClient {
  const timeout = props.timeoutMs ?? 10_000;
  async function call(url: string, init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string; signal?: AbortSignal }) {
    try {
      const res = await request(url, { ...init, dispatcher: props.dispatcher, headersTimeout: timeout, bodyTimeout: timeout });
      const text = await res.body.text();
      return { status: res.statusCode, json: parseJson(text) };
    } catch (error) {
      const code = (error as { code?: string }).code ?? "error";
      throw new ServiceError(ErrorCode.ZoomUnavailable, `Zoom could not be reached (${code})`, { cause: error, retryAfterSeconds: 5 });
    }
  }
  function tokenCall(path: string, form: Record<string, string>, signal?: AbortSignal) {
    const { clientId, clientSecret } = props.secrets.current();
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString("base64");
    return call(`${props.oauthBaseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
      ...(signal ? { signal } : {}),
    });
  }
  async function tokenGrant(form: Record<string, string>, signal?: AbortSignal): Promise<TokenSet> {
    const res = await tokenCall("/oauth/token", form, signal);
    if (res.status !== 200) throw oauthError(res.status, res.json);
    const body = TokenBody.safeParse(res.json);
    if (!body.success) throw new ServiceError(ErrorCode.ZoomBadResponse, "Zoom's token response was not understood");
    return {
      accessToken: body.data.access_token,
      refreshToken: body.data.refresh_token,
      expiresInSeconds: body.data.expires_in,
      scopes: parseScopes(body.data.scope),
      apiUrl: trustedApiUrl(body.data.api_url, props.apiBaseUrl),
    };
  }
  return {
    exchangeCode: (code, verifier) =>
      tokenGrant({ grant_type: "authorization_code", code, redirect_uri: props.redirectUrl, code_verifier: verifier }),
    refresh: (refreshToken, signal) => tokenGrant({ grant_type: "refresh_token", refresh_token: refreshToken }, signal),
    async revoke(...tokens) {
      const { clientId, clientSecret } = props.secrets.current();
      // NB: revoking twice is harmless, so a Zoom hiccup is retried here rather than left to the booking app.
      const revokeProps = {
        oauthBaseUrl: props.oauthBaseUrl,
        clientId,
        clientSecret,
        dispatcher: props.dispatcher,
        timeoutMs: timeout,
        attempts: 3,
      };
      try {
        return (await revokeFirstKnown(revokeProps, tokens)) === "Revoked";
      } catch (error) {
        throw error instanceof ZoomRevokeError ? revokeFailure(error) : error;
      }
    },
    async me(apiUrl, accessToken) {
      const res = await call(`${apiUrl}/v2/users/me`, {
        method: "GET",
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      });
      if (res.status !== 200) {
        const body = ApiErrorBody.safeParse(res.json);
        throw new ZoomApiError(res.status, body.data?.code, body.data?.message ?? "no JSON body");
      }
      const me = Me.safeParse(res.json);
      if (!me.success) throw new ServiceError(ErrorCode.ZoomBadResponse, "Zoom's /users/me answer was not understood");
      return { userId: me.data.id, accountId: me.data.account_id };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // NB: Zoom sometimes answers HTML/XML; callers report ZOOM_BAD_RESPONSE
  }
}

function oauthError(status: number, json: unknown): Error {
  const body = OAuthErrorBody.safeParse(json);
  if (status >= 500 || status === 429)
    return new ServiceError(ErrorCode.ZoomUnavailable, `Zoom's token endpoint answered ${status}`, { retryAfterSeconds: 5 });
  if (!body.success || (!body.data.error && body.data.code === undefined)) {
    return new ServiceError(ErrorCode.ZoomBadResponse, `Zoom's token endpoint answered ${status} without an OAuth error`);
  }
  const reason = body.data.reason ?? "";
  const numbered = body.data.code ?? Number(/\b(47\d\d)\b/.exec(reason)?.[1] ?? Number.NaN);
  return new ZoomOAuthError(status, body.data.error ?? "error", reason, Number.isNaN(numbered) ? undefined : numbered);
}

/** The shared revoke's failures in the service's closed set of errors. */
function revokeFailure(error: ZoomRevokeError): ServiceError {
  const code = {
    [RevokeErrorCode.Unavailable]: ErrorCode.ZoomUnavailable,
    [RevokeErrorCode.ClientRejected]: ErrorCode.ZoomRejected,
    [RevokeErrorCode.BadResponse]: ErrorCode.ZoomBadResponse,
  }[error.code];
  return new ServiceError(code, error.message, { cause: error, ...(error.retryable ? { retryAfterSeconds: 5 } : {}) });
}

/** The token response's regional `api_url` is used only when it is a Zoom host; else the configured base. */
function trustedApiUrl(apiUrl: string | undefined, configured: string): string {
  if (!apiUrl) return configured;
  try {
    const url = new URL(apiUrl);
    return url.protocol === "https:" && (url.hostname === "zoom.us" || url.hostname.endsWith(".zoom.us")) ? url.origin : configured;
  } catch {
    return configured;
  }
}

import type { EmulatorContext } from "./context.ts";
import { OAUTH_REASONS, oauthError } from "./errors.ts";
import { endGrant, grantFromCode, pkceMatches, refreshGrant } from "./grants.ts";
import { basicCredentials, type EmulatorRequest, formBody, jsonReply, type Reply } from "./http-core.ts";
import { accountCredentialsGrant, isAccountCredentials } from "./s2s.ts";
import type { App } from "./store.ts";

/** Basic client authentication; the secret comparison is exact, as Zoom's is. */
function authenticateClient(ctx: EmulatorContext, request: EmulatorRequest): App | undefined {
  const credentials = basicCredentials(request);
  if (!credentials) return undefined;
  const app = ctx.store.apps.get(credentials.id);
  return app && app.clientSecret === credentials.secret ? app : undefined;
}

/** `POST /oauth/token`: authorization_code and refresh_token grants, and account_credentials (s2s.ts). */
export function tokenEndpoint(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  if (isAccountCredentials(request)) return accountCredentialsGrant(ctx, request);
  const app = authenticateClient(ctx, request);
  if (!app) return oauthError("invalid_client", OAUTH_REASONS.invalidClient);
  const form = formBody(request);
  const grantType = form.get("grant_type");
  if (grantType === "authorization_code") return exchangeCode(ctx, app, form);
  if (grantType === "refresh_token") return refreshGrant(ctx, app.clientId, form.get("refresh_token") ?? "");
  return oauthError("unsupported_grant_type", OAUTH_REASONS.missingGrantType);
}

function exchangeCode(ctx: EmulatorContext, app: App, form: URLSearchParams): Reply {
  if (app.status === "disabledByZoom") return oauthError("invalid_client", OAUTH_REASONS.appDisabled);
  const value = form.get("code") ?? "";
  const code = ctx.store.codes.get(value);
  if (!code || code.clientId !== app.clientId) return oauthError("invalid_request", OAUTH_REASONS.invalidCode);
  // NB: single use even when the exchange fails below: a code is burnt by its first presentation.
  ctx.store.codes.delete(value);
  if (code.expiresAt <= ctx.clock.now()) return oauthError("invalid_request", OAUTH_REASONS.expiredCode);
  if (form.get("redirect_uri") !== app.redirectUrl) return oauthError("invalid_request", OAUTH_REASONS.redirectMismatch);
  if (!pkceMatches(code, form.get("code_verifier"))) return oauthError("invalid_request", OAUTH_REASONS.invalidVerifier);
  if (ctx.store.users.get(code.userId)?.deleted) return oauthError("invalid_grant", OAUTH_REASONS.userDeleted);
  return grantFromCode(ctx, code);
}

/** `POST /oauth/revoke` with `token=<access token>`: ends the grant (the app is uninstalled). */
export function revokeEndpoint(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const app = authenticateClient(ctx, request);
  if (!app) return oauthError("invalid_client", OAUTH_REASONS.invalidClient);
  const token = formBody(request).get("token") ?? "";
  const grantId = ctx.store.accessTokens.get(token)?.grantId ?? ctx.store.refreshTokens.get(token);
  const grant = grantId === undefined ? undefined : ctx.store.grants.get(grantId);
  if (!grant || grant.clientId !== app.clientId || grant.ended) return oauthError("invalid_request", "Invalid Token!");
  endGrant(ctx, grant.id, "revoked");
  return jsonReply(200, { status: "success" });
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { EmulatorContext } from "./context.ts";
import { OAUTH_REASONS, oauthError } from "./errors.ts";
import { jsonReply, type Reply } from "./http-core.ts";
import type { AuthCode, Grant, GrantEnd } from "./store.ts";

export const CODE_TTL_MS = 5 * 60_000;
export const ACCESS_TOKEN_TTL_MS = 60 * 60_000;
/** NB: Zoom says 3599 for a token that lives 3600 s; clients must not refresh on the last second. */
const EXPIRES_IN_SECONDS = 3599;

export function issueCode(ctx: EmulatorContext, code: Omit<AuthCode, "expiresAt">): string {
  const value = ctx.ids.token();
  ctx.store.codes.set(value, { ...code, expiresAt: ctx.clock.now() + CODE_TTL_MS });
  return value;
}

export function pkceMatches(code: AuthCode, verifier: string | null): boolean {
  if (code.challenge === undefined) return true;
  if (!verifier) return false;
  const derived = code.challengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  const [a, b] = [Buffer.from(derived), Buffer.from(code.challenge)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new consent: ends the app's earlier grant on this account (4741), then issues tokens. */
export function grantFromCode(ctx: EmulatorContext, code: AuthCode): Reply {
  const user = ctx.store.users.get(code.userId);
  if (!user) throw new Error(`code for unknown user ${code.userId}`);
  const previous = ctx.store.liveGrantFor(code.clientId, user.accountId);
  if (previous) endGrant(ctx, previous.id, "superseded");
  const now = ctx.clock.now();
  const grant: Grant = {
    id: `grant-${ctx.store.grants.size + 1}`,
    clientId: code.clientId,
    accountId: user.accountId,
    userId: user.id,
    scopes: code.scopes,
    createdAt: now,
    refreshToken: "",
    refreshExpiresAt: 0,
  };
  ctx.store.grants.set(grant.id, grant);
  ctx.store.refreshCalls.set(grant.id, 0);
  return tokenReply(ctx, grant);
}

/** Rotation: the presented token must be the grant's current one; an older one is reuse. */
export function refreshGrant(ctx: EmulatorContext, clientId: string, presented: string): Reply {
  const grantId = ctx.store.refreshTokens.get(presented);
  const grant = grantId === undefined ? undefined : ctx.store.grants.get(grantId);
  if (!grant || grant.clientId !== clientId) return oauthError("invalid_grant", OAUTH_REASONS.invalidToken);
  ctx.store.refreshCalls.set(grant.id, (ctx.store.refreshCalls.get(grant.id) ?? 0) + 1);
  const refusal = grantRefusal(ctx, grant);
  if (refusal) return refusal;
  if (grant.refreshToken !== presented) {
    ctx.store.reusedRefreshTokens.push({ grantId: grant.id, at: ctx.clock.now() });
    if (ctx.behaviour.revokeGrantOnRefreshReuse) endGrant(ctx, grant.id, "reused");
    return oauthError("invalid_grant", OAUTH_REASONS.invalidToken);
  }
  if (grant.refreshExpiresAt <= ctx.clock.now()) return oauthError("invalid_grant", OAUTH_REASONS.invalidToken);
  return tokenReply(ctx, grant);
}

function grantRefusal(ctx: EmulatorContext, grant: Grant): Reply | undefined {
  const app = ctx.store.apps.get(grant.clientId);
  if (app?.status === "disabledByZoom") return oauthError("invalid_client", OAUTH_REASONS.appDisabled);
  if (app?.status === "disabledByAdmin") return oauthError("invalid_grant", OAUTH_REASONS.appDisabledByAdmin);
  if (ctx.store.users.get(grant.userId)?.deleted) return oauthError("invalid_grant", OAUTH_REASONS.userDeleted);
  if (grant.ended === "superseded") return oauthError("invalid_grant", OAUTH_REASONS.superseded);
  if (grant.ended) return oauthError("invalid_grant", OAUTH_REASONS.invalidToken);
  return undefined;
}

export function endGrant(ctx: EmulatorContext, grantId: string, why: GrantEnd): void {
  const grant = ctx.store.grants.get(grantId);
  if (!grant || grant.ended) return;
  grant.ended = why;
  for (const [token, access] of ctx.store.accessTokens) if (access.grantId === grantId) ctx.store.accessTokens.delete(token);
  if (why === "revoked") ctx.onGrantRevoked(grantId);
}

function tokenReply(ctx: EmulatorContext, grant: Grant): Reply {
  const now = ctx.clock.now();
  const accessToken = ctx.ids.token();
  const refreshToken = ctx.ids.token();
  ctx.store.accessTokens.set(accessToken, { grantId: grant.id, expiresAt: now + ACCESS_TOKEN_TTL_MS });
  ctx.store.refreshTokens.set(refreshToken, grant.id);
  grant.refreshToken = refreshToken;
  grant.refreshExpiresAt = now + ctx.behaviour.refreshTokenTtlMs;
  const body = {
    access_token: accessToken,
    token_type: "bearer",
    refresh_token: refreshToken,
    expires_in: EXPIRES_IN_SECONDS,
    scope: grant.scopes.join(" "),
    api_url: ctx.apiUrl(),
  };
  return jsonReply(200, body, { "cache-control": "no-store" });
}

import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { bearerToken, type EmulatorRequest, isReply, type Reply } from "./http-core.ts";
import type { RateCategory } from "./rate-limits.ts";
import type { Grant, User } from "./store.ts";

/** Who is calling the REST API, resolved from the bearer token. */
export interface ApiCaller {
  readonly grant: Grant;
  readonly user: User;
}

/** Bearer token only: a token in the query string, unknown, expired or from a dead grant is 124. */
export function authenticate(ctx: EmulatorContext, request: EmulatorRequest): ApiCaller | Reply {
  if (request.query.has("access_token")) return API_ERRORS.invalidToken();
  const token = bearerToken(request);
  const access = token === undefined ? undefined : ctx.store.accessTokens.get(token);
  if (!access) return API_ERRORS.invalidToken();
  if (access.expiresAt <= ctx.clock.now()) return API_ERRORS.expiredToken();
  const grant = ctx.store.grants.get(access.grantId);
  const user = grant && ctx.store.users.get(grant.userId);
  const app = grant && ctx.store.apps.get(grant.clientId);
  if (!grant || grant.ended || !user || user.deleted || app?.status !== "enabled") return API_ERRORS.invalidToken();
  return { grant, user };
}

export type Operation = "readMeeting" | "createMeeting" | "updateMeeting" | "deleteMeeting" | "readUser" | "listUsers";

interface ScopeRule {
  /** Any one of these covers the whole account. */
  readonly admin: readonly string[];
  /** Any one of these covers only the token owner's own user and meetings. */
  readonly own: readonly string[];
}

/** Classic and granular names (ZOOM.md "The app model"); under classic, write covers update and delete. */
const SCOPE_RULES: Readonly<Record<Operation, ScopeRule>> = {
  readMeeting: { admin: ["meeting:read:admin", "meeting:read:meeting:admin"], own: ["meeting:read", "meeting:read:meeting"] },
  createMeeting: { admin: ["meeting:write:admin", "meeting:write:meeting:admin"], own: ["meeting:write", "meeting:write:meeting"] },
  updateMeeting: { admin: ["meeting:write:admin", "meeting:update:meeting:admin"], own: ["meeting:write", "meeting:update:meeting"] },
  deleteMeeting: { admin: ["meeting:write:admin", "meeting:delete:meeting:admin"], own: ["meeting:write", "meeting:delete:meeting"] },
  readUser: { admin: ["user:read:admin", "user:read:user:admin"], own: ["user:read", "user:read:user"] },
  listUsers: { admin: ["user:read:admin", "user:read:list_users:admin"], own: [] },
};

/** Granular names have a resource segment: `meeting:delete:meeting[:admin]`. */
export function isGranularScope(scope: string): boolean {
  const parts = scope.split(":");
  return parts.length >= 4 || (parts.length === 3 && parts[2] !== "admin");
}

/**
 * 4711 when no granted scope covers the operation, listing the names in the app's own style (the
 * Cal.com cancellation bug: a granular app without `meeting:delete:meeting:admin`); 3003 when only
 * an own-user scope covers it and the target belongs to someone else.
 */
export function scopeRefusal(caller: ApiCaller, operation: Operation, targetUserId: string): Reply | undefined {
  const rule = SCOPE_RULES[operation];
  const granted = caller.grant.scopes;
  if (rule.admin.some((scope) => granted.includes(scope))) return undefined;
  const ownCovered = rule.own.some((scope) => granted.includes(scope));
  if (ownCovered && targetUserId === caller.user.id) return undefined;
  if (ownCovered && operation !== "createMeeting" && operation !== "readUser") return API_ERRORS.notMeetingHost();
  const granular = granted.some(isGranularScope);
  const wanted = [...rule.admin, ...rule.own].filter((scope) => isGranularScope(scope) === granular);
  return API_ERRORS.missingScopes(wanted);
}

/** The start of every REST handler: the bearer token, then the account's per-second budget. */
export function admit(ctx: EmulatorContext, request: EmulatorRequest, category: RateCategory): ApiCaller | Reply {
  const caller = authenticate(ctx, request);
  if (isReply(caller) || !ctx.behaviour.rateLimits) return caller;
  const plan = ctx.store.accounts.get(caller.grant.accountId)?.plan ?? "pro";
  return ctx.limiter.takePerSecond(caller.grant.accountId, plan, category, ctx.clock.now()) ?? caller;
}

/** The host a `{userId}` path segment names: `me`, an id or an e-mail, on the caller's account. */
export function resolveUser(ctx: EmulatorContext, caller: ApiCaller, userId: string): User | Reply {
  if (userId === "me") return caller.user;
  const user = ctx.store.findUser(userId);
  if (!user || user.deleted) return API_ERRORS.userNotFound(userId);
  if (user.accountId !== caller.grant.accountId) return API_ERRORS.userNotOnAccount(userId);
  return user;
}

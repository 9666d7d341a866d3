import { type ApiCaller, admit, resolveUser, scopeRefusal } from "./api-auth.ts";
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS } from "./errors.ts";
import { type EmulatorRequest, isReply, jsonReply, type Reply } from "./http-core.ts";
import type { User } from "./store.ts";

/** Page tokens die after 15 minutes (ZOOM.md); a client must not cache them. */
export const PAGE_TOKEN_TTL_MS = 15 * 60_000;
const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 300;

const ROLE_IDS = { owner: "0", admin: "1", member: "2" } as const;

function userJson(ctx: EmulatorContext, user: User): Record<string, unknown> {
  return {
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    display_name: `${user.firstName} ${user.lastName}`,
    email: user.email,
    type: user.type,
    role_name: user.role[0]?.toUpperCase() + user.role.slice(1),
    role_id: ROLE_IDS[user.role],
    timezone: user.timezone ?? ctx.store.accountTimezone(user.accountId),
    verified: 1,
    status: user.status,
    account_id: user.accountId,
    created_at: new Date(user.createdAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    language: "en-US",
  };
}

/** `GET /v2/users/{userId}`: `me`, an id or an e-mail. */
export function getUser(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admit(ctx, request, "light");
  if (isReply(caller)) return caller;
  const user = resolveUser(ctx, caller, request.params.userId ?? "");
  if (isReply(user)) return user;
  return scopeRefusal(caller, "readUser", user.id) ?? jsonReply(200, userJson(ctx, user));
}

/**
 * `GET /v2/users?status=active|inactive|pending&page_size=..&next_page_token=..`: the caller's
 * account's users of one status (Zoom's default: active).
 */
export function listUsers(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admit(ctx, request, "medium");
  if (isReply(caller)) return caller;
  const refusal = scopeRefusal(caller, "listUsers", caller.user.id);
  if (refusal) return refusal;
  const pageSize = pageSizeOf(request.query.get("page_size"));
  if (pageSize === undefined) return API_ERRORS.badField("page_size", "Invalid page_size: use 1 to 300.");
  const offset = offsetOf(ctx, caller, request.query.get("next_page_token"));
  if (offset === undefined) return API_ERRORS.badField("next_page_token", "The next page token is invalid or expired.");
  const status = request.query.get("status") ?? "active";
  if (!["active", "inactive", "pending"].includes(status))
    return API_ERRORS.badField("status", "Invalid status: use active, inactive or pending.");
  const all = [...ctx.store.users.values()].filter((u) => u.accountId === caller.grant.accountId && !u.deleted && u.status === status);
  const users = all.slice(offset, offset + pageSize);
  const more = offset + pageSize < all.length;
  return jsonReply(200, {
    page_count: Math.ceil(all.length / pageSize),
    page_number: Math.floor(offset / pageSize) + 1,
    page_size: pageSize,
    total_records: all.length,
    next_page_token: more ? pageToken(ctx, caller, offset + pageSize) : "",
    users: users.map((user) => userJson(ctx, user)),
  });
}

function pageSizeOf(text: string | null): number | undefined {
  if (text === null) return DEFAULT_PAGE_SIZE;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1) return undefined;
  // NB: Zoom caps silently at 300 rather than refusing a larger page.
  return Math.min(size, MAX_PAGE_SIZE);
}

function offsetOf(ctx: EmulatorContext, caller: ApiCaller, token: string | null): number | undefined {
  if (!token) return 0;
  const cursor = ctx.store.pageCursors.get(token);
  if (!cursor || cursor.accountId !== caller.grant.accountId || cursor.expiresAt <= ctx.clock.now()) return undefined;
  return cursor.offset;
}

function pageToken(ctx: EmulatorContext, caller: ApiCaller, offset: number): string {
  const now = ctx.clock.now();
  // NB: expired cursors are dropped here, so long benchmarks that page users do not grow the map.
  if (ctx.store.pageCursors.size > 1000)
    for (const [key, cursor] of ctx.store.pageCursors) if (cursor.expiresAt <= now) ctx.store.pageCursors.delete(key);
  const token = ctx.ids.token();
  ctx.store.pageCursors.set(token, { accountId: caller.grant.accountId, offset, expiresAt: now + PAGE_TOKEN_TTL_MS });
  return token;
}

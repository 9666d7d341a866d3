// Zoom's Marketplace app API for General apps made from a manifest, called with an S2S access token:
// create (`POST /v2/marketplace/apps`), list the account's apps, read and replace an app's manifest
// (`GET`/`PUT /v2/marketplace/apps/{appId}/manifest`) and delete it (`DELETE /v2/marketplace/apps/{appId}`).
// Writes need `marketplace:write:app`, reads `marketplace:read:app` (4711 otherwise). A created app is
// a real OAuth client of the emulator: an admin of the account can consent to it at once.
// README.md lists which request and response details come from Zoom's docs and which are assumed.
import type { EmulatorContext } from "./context.ts";
import { API_ERRORS, apiError } from "./errors.ts";
import { endGrant } from "./grants.ts";
import { bearerToken, type EmulatorRequest, emptyReply, isReply, jsonReply, type Reply } from "./http-core.ts";
import { oauthSettings, validateManifest } from "./marketplace-manifest.ts";
import { type MarketplaceApp, marketplaceState, type S2sToken } from "./s2s.ts";

export const WRITE_SCOPE = "marketplace:write:app";
export const READ_SCOPE = "marketplace:read:app";

/** The S2S token's holder, or 124 (unknown, expired, or its S2S app deactivated), or 4711 (scope). */
function admitS2s(ctx: EmulatorContext, request: EmulatorRequest, scope: string): S2sToken | Reply {
  const state = marketplaceState(ctx.store);
  const value = bearerToken(request);
  const token = value === undefined ? undefined : state.s2sTokens.get(value);
  if (!token) return API_ERRORS.invalidToken();
  if (token.expiresAt <= ctx.clock.now()) return API_ERRORS.expiredToken();
  if (!state.s2sApps.get(token.clientId)?.active) return API_ERRORS.invalidToken();
  // NB: the `:master` variant is what Zoom's master-account API names; either covers this account.
  if (!token.scopes.includes(scope) && !token.scopes.includes(`${scope}:master`)) return API_ERRORS.missingScopes([scope]);
  return token;
}

function jsonBody(request: EmulatorRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(request.body);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const appNotFound = (id: string) => apiError(404, 404, `App does not exist: ${id}.`);

function ownApp(ctx: EmulatorContext, caller: S2sToken, appId: string): MarketplaceApp | undefined {
  const app = marketplaceState(ctx.store).apps.get(appId);
  return app && !app.deleted && app.accountId === caller.accountId ? app : undefined;
}

const REQUIRED_TEXT = ["app_name", "company_name", "contact_name", "contact_email"] as const;

/** `POST /v2/marketplace/apps`: a General app from a manifest; the answer is the only place its secrets appear. */
export function createApp(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admitS2s(ctx, request, WRITE_SCOPE);
  if (isReply(caller)) return caller;
  const body = jsonBody(request);
  if (!body) return API_ERRORS.badJson();
  const missing = REQUIRED_TEXT.filter((f) => typeof body[f] !== "string" || body[f] === "");
  if (missing.length > 0) return API_ERRORS.validation(missing.map((field) => ({ field, message: `${field} is required.` })));
  if (String(body["app_name"]).length > 50) return API_ERRORS.badField("app_name", "app_name must be at most 50 characters.");
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(body["contact_email"])))
    return API_ERRORS.badField("contact_email", "Invalid contact_email.");
  if (body["app_type"] !== "general") return API_ERRORS.badField("app_type", "The emulator creates app_type general only.");
  const checked = validateManifest(body["manifest"]);
  if ("errors" in checked) return API_ERRORS.validation(checked.errors);
  const settings = oauthSettings(checked.manifest);
  const clientId = `mp-${ctx.ids.token().slice(0, 16)}`;
  const secrets = { clientSecret: ctx.ids.token(), secretToken: ctx.ids.token() };
  ctx.store.apps.set(clientId, {
    clientId,
    ...secrets,
    name: checked.manifest.display_information.display_name,
    accountId: caller.accountId,
    redirectUrl: settings.redirectUrl,
    allowList: settings.allowList,
    scopes: settings.scopes,
    published: false,
    status: "enabled",
  });
  const appId = ctx.ids.token().slice(0, 22);
  const createdAt = ctx.clock.now();
  const app: MarketplaceApp = {
    appId,
    appName: String(body["app_name"]),
    accountId: caller.accountId,
    clientId,
    createdAt,
    manifest: checked.manifest,
    deleted: false,
  };
  marketplaceState(ctx.store).apps.set(appId, app);
  return jsonReply(201, {
    app_id: appId,
    app_name: app.appName,
    app_type: "general",
    created_at: new Date(createdAt).toISOString(),
    client_id: clientId,
    client_secret: secrets.clientSecret,
    secret_token: secrets.secretToken,
  });
}

/** `GET /v2/marketplace/apps?page_size=..&next_page_token=..`: the caller's account's apps, no secrets. */
export function listApps(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admitS2s(ctx, request, READ_SCOPE);
  if (isReply(caller)) return caller;
  const pageSize = Number(request.query.get("page_size") ?? "30");
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 300) return API_ERRORS.badField("page_size", "page_size must be 1 to 300.");
  const offset = Number(request.query.get("next_page_token") || "0");
  const all = [...marketplaceState(ctx.store).apps.values()].filter((a) => !a.deleted && a.accountId === caller.accountId);
  const page = all.slice(offset, offset + pageSize);
  const next = offset + pageSize < all.length ? String(offset + pageSize) : "";
  const apps = page.map((a) => ({
    app_id: a.appId,
    app_name: a.appName,
    app_type: "general",
    display_name: (a.manifest["display_information"] as { display_name: string }).display_name,
    created_at: new Date(a.createdAt).toISOString(),
  }));
  return jsonReply(200, { page_size: pageSize, total_records: all.length, next_page_token: next, apps });
}

export function getManifest(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admitS2s(ctx, request, READ_SCOPE);
  if (isReply(caller)) return caller;
  const app = ownApp(ctx, caller, request.params["appId"] ?? "");
  return app ? jsonReply(200, { manifest: app.manifest }) : appNotFound(request.params["appId"] ?? "");
}

/** Replaces the manifest whole; the OAuth client follows (redirect URI, allow list, scopes) at once. */
export function putManifest(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admitS2s(ctx, request, WRITE_SCOPE);
  if (isReply(caller)) return caller;
  const app = ownApp(ctx, caller, request.params["appId"] ?? "");
  if (!app) return appNotFound(request.params["appId"] ?? "");
  const body = jsonBody(request);
  if (!body) return API_ERRORS.badJson();
  const checked = validateManifest(body["manifest"]);
  if ("errors" in checked) return API_ERRORS.validation(checked.errors);
  app.manifest = checked.manifest;
  const client = ctx.store.apps.get(app.clientId);
  if (client) {
    const settings = oauthSettings(checked.manifest);
    ctx.store.apps.set(app.clientId, {
      ...client,
      redirectUrl: settings.redirectUrl,
      allowList: settings.allowList,
      scopes: settings.scopes,
    });
  }
  return emptyReply(204);
}

/** Deleting the app ends its grants and its client: a token request with its credentials is invalid_client. */
export function deleteApp(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const caller = admitS2s(ctx, request, WRITE_SCOPE);
  if (isReply(caller)) return caller;
  const app = ownApp(ctx, caller, request.params["appId"] ?? "");
  if (!app) return appNotFound(request.params["appId"] ?? "");
  app.deleted = true;
  for (const grant of ctx.store.grants.values()) if (grant.clientId === app.clientId) endGrant(ctx, grant.id, "revoked");
  ctx.store.apps.delete(app.clientId);
  return emptyReply(204);
}

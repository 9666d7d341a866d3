// Server-to-Server OAuth: `POST /oauth/token` with `grant_type=account_credentials&account_id=..`
// and the S2S app's Basic client authentication answers a one-hour access token without a refresh
// token (Zoom's S2S docs). The token carries the app's scopes; the Marketplace routes check them.
import type { EmulatorContext } from "./context.ts";
import { OAUTH_REASONS, oauthError } from "./errors.ts";
import { ACCESS_TOKEN_TTL_MS } from "./grants.ts";
import { basicCredentials, type EmulatorRequest, formBody, jsonReply, type Reply } from "./http-core.ts";
import type { Store } from "./store.ts";

export interface ServerToServerApp {
  readonly clientId: string;
  clientSecret: string;
  readonly accountId: string;
  scopes: readonly string[];
  /** A deactivated (or deleted) S2S app gets no token, and its tokens stop working at once. */
  active: boolean;
}

export interface S2sToken {
  readonly clientId: string;
  readonly accountId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/** A General app made through the Marketplace API. */
export interface MarketplaceApp {
  readonly appId: string;
  readonly appName: string;
  readonly accountId: string;
  /** The OAuth client the app is (in `store.apps`, so an admin can consent to it). */
  readonly clientId: string;
  readonly createdAt: number;
  manifest: Record<string, unknown>;
  deleted: boolean;
}

/** Marketplace and S2S state, beside the Store (kept out of it so the Store's shapes stay as they were). */
export interface MarketplaceState {
  readonly s2sApps: Map<string, ServerToServerApp>;
  readonly s2sTokens: Map<string, S2sToken>;
  readonly apps: Map<string, MarketplaceApp>;
}

/** The default S2S app: acme's, with both Marketplace scopes. */
export const DEFAULT_S2S_APP = {
  clientId: "acme-s2s-client",
  clientSecret: "acme-s2s-secret",
  accountId: "acme-account",
  scopes: ["marketplace:read:app", "marketplace:write:app"],
} as const;

const states = new WeakMap<Store, MarketplaceState>();

export function marketplaceState(store: Store): MarketplaceState {
  let state = states.get(store);
  if (!state) {
    state = { s2sApps: new Map(), s2sTokens: new Map(), apps: new Map() };
    state.s2sApps.set(DEFAULT_S2S_APP.clientId, { ...DEFAULT_S2S_APP, scopes: [...DEFAULT_S2S_APP.scopes], active: true });
    states.set(store, state);
  }
  return state;
}

/** NB: Zoom's S2S docs put grant_type and account_id in the query string; peers post a form. Both are read. */
export function isAccountCredentials(request: EmulatorRequest): boolean {
  return (request.query.get("grant_type") ?? formBody(request).get("grant_type")) === "account_credentials";
}

export function accountCredentialsGrant(ctx: EmulatorContext, request: EmulatorRequest): Reply {
  const credentials = basicCredentials(request);
  const state = marketplaceState(ctx.store);
  const app = credentials && state.s2sApps.get(credentials.id);
  // NB: a General app's client asking for account_credentials gets unsupported_grant_type (Zoom's S2S troubleshooting blog).
  if (!app && credentials && ctx.store.apps.get(credentials.id)?.clientSecret === credentials.secret) {
    return oauthError("unsupported_grant_type", OAUTH_REASONS.missingGrantType);
  }
  if (!app || app.clientSecret !== credentials?.secret) return oauthError("invalid_client", OAUTH_REASONS.invalidClient);
  if (!app.active) return oauthError("invalid_client", OAUTH_REASONS.appDisabled);
  const accountId = request.query.get("account_id") ?? formBody(request).get("account_id");
  if (!accountId) return oauthError("invalid_request", "Missing account_id");
  if (accountId !== app.accountId) return oauthError("invalid_request", "Invalid account_id");
  const token = ctx.ids.token();
  state.s2sTokens.set(token, { clientId: app.clientId, accountId, scopes: app.scopes, expiresAt: ctx.clock.now() + ACCESS_TOKEN_TTL_MS });
  const body = { access_token: token, token_type: "bearer", expires_in: 3599, scope: app.scopes.join(" "), api_url: ctx.apiUrl() };
  return jsonReply(200, body, { "cache-control": "no-store" });
}

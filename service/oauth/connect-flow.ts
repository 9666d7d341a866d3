// The OAuth connect flow, as domain functions the routes call:
// 1. `startAuthorization`: the booking app asks (internal API) and gets the URL to send its admin to;
// 2. `beginAtZoom`: the admin's browser opens it; we bind the browser (cookie) and go to Zoom with
//    PKCE S256 and a sealed state;
// 3. `completeCallback`: Zoom sends the browser back; we check state, cookie and replay, exchange the
//    code, compare scopes, read /users/me, store the grant and send the browser to the booking app.
import type { V1OwnerReference } from "@kubernetes/client-node";
import type { Logger } from "../../common/logger.ts";
import { grantKey, type StoredGrant } from "../../common/tenant/token-secret.ts";
import { START_PATH } from "../../common/tenant/names.ts";
import { ServiceError } from "../errors.ts";
import { EventReason, type EventRecorder } from "../kube/event-recorder.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { type MountedSecrets, unsealingKeys } from "../runtime/mounted-secrets.ts";
import type { TokenManager } from "../tokens/token-manager.ts";
import type { TokenSecretStore } from "../tokens/token-secret-store.ts";
import { type TokenSet, ZoomOAuthError, type ZoomOAuthClient } from "../zoom/zoom-oauth-client.ts";
import { type FlowState, issueState, issueTicket, nonceId, openState, openTicket, type Ticket } from "./flow-state.ts";
import { afterConnectUrl, type ConnectOutcome } from "./return-url.ts";
import { missingScopes } from "./scopes.ts";

export interface ConnectFlowProps {
  readonly publicOrigin: string;
  readonly redirectUrl: string;
  readonly afterConnectPath: string;
  readonly oauthBaseUrl: string;
  readonly requiredScopes: readonly string[];
  readonly secrets: MountedSecrets;
  readonly zoom: ZoomOAuthClient;
  readonly store: TokenSecretStore;
  readonly tokens: TokenManager;
  readonly events: EventRecorder;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly now: () => number;
  readonly random?: (n: number) => Buffer;
  /** Tells the booking app (service/events): connected, or connected with scopes missing. */
  readonly onConnectionChange?: (grant: StoredGrant) => Promise<void>;
}

export type CallbackResult = { kind: "redirect"; url: string; clearCookie: boolean } | { kind: "marketplace" };

export function createConnectFlow(p: ConnectFlowProps) {
  const sealingKey = () => p.secrets.current().stateKey;
  const openingKeys = () => unsealingKeys(p.secrets.current(), p.now());
  const landing = (path: string | undefined, outcome: ConnectOutcome) =>
    afterConnectUrl(p.publicOrigin, path ?? p.afterConnectPath, outcome);

  function fail(reason: string, path?: string): CallbackResult {
    p.metrics.callbacks.inc({ result: "error", reason });
    return { kind: "redirect", url: landing(path, { zoom: "error", reason }), clearCookie: true };
  }

  async function exchange(state: FlowState, code: string): Promise<TokenSet | string> {
    try {
      return await p.zoom.exchangeCode(code, state.verifier);
    } catch (error) {
      if (error instanceof ZoomOAuthError) {
        p.log.warn({ organizationId: state.org, zoomError: error.error, zoomReason: error.reason }, "Zoom refused the authorization code");
        return exchangeFailure(error);
      }
      if (error instanceof ServiceError) return "zoom_unavailable";
      throw error;
    }
  }

  /** Stores the grant unless the state was used meanwhile; the owner is where Events go. */
  async function store(state: FlowState, grant: StoredGrant): Promise<{ owner: V1OwnerReference | undefined } | "reused"> {
    const key = grantKey(state.org);
    const { result, snapshot } = await p.store.update((draft) => {
      if (draft.consumedStates.has(nonceId(state.nonce))) return "reused" as const;
      const previous = draft.grants.get(key);
      draft.consumedStates.set(nonceId(state.nonce), state.exp);
      draft.grants.set(key, grant);
      draft.locks.delete(key);
      return previous;
    });
    if (result === "reused") return "reused";
    p.tokens.remember(state.org, grant);
    // NB: a consent for another Zoom account leaves the earlier install alive at Zoom: end it.
    if (result && result.accountId !== grant.accountId) await p.zoom.revoke(result.accessToken).catch(() => false);
    return { owner: snapshot.owner };
  }

  /** NB: tokens we cannot store would be orphaned at Zoom: revoke them (best effort) and report. */
  async function storeOrRevoke(state: FlowState, grant: StoredGrant) {
    try {
      return await store(state, grant);
    } catch (error) {
      p.log.error({ organizationId: state.org, err: error }, "could not store the new Zoom grant");
      await p.zoom.revoke(grant.accessToken).catch(() => false);
      return "storage_unavailable" as const;
    }
  }

  /** NB: read-check-write in one CAS update of the tokens Secret, so two replicas cannot both accept a ticket. */
  async function consumeTicket(ticket: Ticket): Promise<"consumed" | "reused" | "storage_unavailable"> {
    const id = nonceId(`ticket:${ticket.nonce}`);
    try {
      const { result } = await p.store.update((draft) => {
        if (draft.consumedStates.has(id)) return "reused" as const;
        draft.consumedStates.set(id, ticket.exp);
        return "consumed" as const;
      });
      return result;
    } catch (error) {
      p.log.error({ organizationId: ticket.org, err: error }, "could not record the used connect link");
      return "storage_unavailable";
    }
  }

  return {
    /** The URL the booking app sends its admin to (valid 10 minutes, one visit). */
    startAuthorization(organizationId: string, returnPath: string | undefined) {
      const { ticket, expiresAt } = issueTicket(sealingKey(), { org: organizationId, returnPath }, p.now(), p.random);
      const url = new URL(START_PATH, p.publicOrigin);
      url.searchParams.set("ticket", ticket);
      return { authorizationUrl: url.toString(), expiresAt: new Date(expiresAt).toISOString() };
    },

    /**
     * The Zoom authorize URL and the browser-binding cookie, or where to send a stale link. The first
     * visit consumes the ticket (across replicas): a second visit gets `used`, and nothing is linked.
     */
    async beginAtZoom(ticket: string): Promise<{ zoomUrl: string; cookieValue: string } | { errorUrl: string } | { used: true }> {
      const opened = openTicket(openingKeys(), ticket, p.now());
      if ("failure" in opened)
        return {
          errorUrl: landing(undefined, { zoom: "error", reason: opened.failure === "expired_state" ? "link_expired" : "invalid_link" }),
        };
      const consumed = await consumeTicket(opened.ok);
      if (consumed === "reused") {
        p.metrics.callbacks.inc({ result: "error", reason: "link_used" });
        return { used: true };
      }
      if (consumed === "storage_unavailable") return { errorUrl: landing(opened.ok.returnPath, { zoom: "error", reason: consumed }) };
      const issued = issueState(sealingKey(), opened.ok, p.now(), p.random);
      const url = new URL("/oauth/authorize", p.oauthBaseUrl);
      url.search = new URLSearchParams({
        response_type: "code",
        client_id: p.secrets.current().clientId,
        redirect_uri: p.redirectUrl,
        state: issued.state,
        code_challenge: issued.pkce.challenge,
        code_challenge_method: issued.pkce.method,
      }).toString();
      return { zoomUrl: url.toString(), cookieValue: issued.cookieValue };
    },

    async completeCallback(query: { code?: string; state?: string; error?: string }, cookie: string | undefined): Promise<CallbackResult> {
      if (!query.state) return { kind: "marketplace" };
      const opened = openState(openingKeys(), query.state, cookie, p.now());
      if ("failure" in opened) return fail(opened.failure);
      const state = opened.ok;
      if (query.error) return fail(/^[a-z_]{1,40}$/.test(query.error) ? query.error : "zoom_error", state.returnPath);
      if (!query.code) return fail("missing_code", state.returnPath);
      if ((await p.store.read()).consumedStates.has(nonceId(state.nonce))) return fail("state_reused", state.returnPath);
      const tokens = await exchange(state, query.code);
      if (typeof tokens === "string") return fail(tokens, state.returnPath);
      const me = await p.zoom.me(tokens.apiUrl, tokens.accessToken).catch(() => undefined);
      if (!me) return fail("zoom_unavailable", state.returnPath);
      const grant = grantFrom(state.org, tokens, me, missingScopes(p.requiredScopes, tokens.scopes), p.now());
      const stored = await storeOrRevoke(state, grant);
      if (stored === "reused") return fail("state_reused", state.returnPath);
      if (stored === "storage_unavailable") return fail(stored, state.returnPath);
      await announce(p, stored.owner, grant);
      if (grant.state === "MissingScopes") return fail("missing_scopes", state.returnPath);
      p.metrics.callbacks.inc({ result: "connected", reason: "" });
      return { kind: "redirect", url: landing(state.returnPath, { zoom: "connected" }), clearCookie: true };
    },
  };
}

export type ConnectFlow = ReturnType<typeof createConnectFlow>;

function grantFrom(org: string, tokens: TokenSet, me: { userId: string; accountId: string }, missing: string[], now: number): StoredGrant {
  const at = new Date(now).toISOString();
  return {
    organizationId: org,
    accountId: me.accountId,
    userId: me.userId,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessTokenExpiresAt: new Date(now + tokens.expiresInSeconds * 1000).toISOString(),
    scopes: tokens.scopes,
    apiUrl: tokens.apiUrl,
    connectedAt: at,
    lastRefreshAt: at,
    state: missing.length > 0 ? "MissingScopes" : "Connected",
    ...(missing.length > 0 ? { missingScopes: missing, reason: `Zoom did not grant: ${missing.join(", ")}` } : {}),
  };
}

async function announce(p: ConnectFlowProps, owner: V1OwnerReference | undefined, grant: StoredGrant): Promise<void> {
  const who = `organization ${grant.organizationId} (account ${grant.accountId})`;
  p.log.info(
    { organizationId: grant.organizationId, accountId: grant.accountId, connectionState: grant.state, missingScopes: grant.missingScopes },
    "Zoom connected",
  );
  await p.onConnectionChange?.(grant);
  if (grant.state === "MissingScopes") {
    await p.events.record(
      owner,
      "Warning",
      EventReason.MissingScopes,
      `Zoom connected ${who} without the scopes ${grant.missingScopes?.join(", ")}: add them to the app in the Zoom Marketplace and connect again.`,
    );
  } else {
    await p.events.record(owner, "Normal", EventReason.Connected, `Zoom connected ${who}.`);
  }
}

/** Zoom's refusal of a code, as a short reason for the booking app's page (ZOOM.md: 4733, 4734, 4709). */
function exchangeFailure(error: ZoomOAuthError): string {
  const text = `${error.reason} ${error.zoomCode ?? ""}`.toLowerCase();
  if (text.includes("expired") || error.zoomCode === 4733) return "code_expired";
  if (text.includes("redirect") || error.zoomCode === 4709) return "redirect_mismatch";
  if (text.includes("verifier")) return "pkce_mismatch";
  if (error.error === "invalid_client") return "invalid_client";
  if (text.includes("code") || error.zoomCode === 4734) return "invalid_code";
  return "zoom_refused";
}

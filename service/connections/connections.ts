// An organization's Zoom connection as the booking app sees it: read its state, verify it against
// Zoom, disconnect it; and the deauthorization Zoom reports by webhook.
import { z } from "zod";
import type { Logger } from "../../common/logger.ts";
import { grantKey, type StoredGrant } from "../../common/tenant/token-secret.ts";
import { ErrorCode, ServiceError } from "../errors.ts";
import { EventReason, type EventRecorder } from "../kube/event-recorder.ts";
import type { TokenManager } from "../tokens/token-manager.ts";
import type { TokenSecretStore } from "../tokens/token-secret-store.ts";
import { ZoomApiError, type ZoomOAuthClient } from "../zoom/zoom-oauth-client.ts";

export interface ConnectionsProps {
  readonly store: TokenSecretStore;
  readonly tokens: TokenManager;
  readonly zoom: ZoomOAuthClient;
  readonly events: EventRecorder;
  readonly log: Logger;
}

/** What the booking app reads about a connection (no secrets); also its OpenAPI schema. */
export const ConnectionView = z.object({
  organizationId: z.string(),
  state: z.enum(["Connected", "ReauthorizationRequired", "MissingScopes", "NotConnected"]),
  accountId: z.string().optional(),
  userId: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  missingScopes: z.array(z.string()).optional(),
  connectedAt: z.string().optional(),
  lastRefreshAt: z.string().optional(),
  reason: z.string().optional().meta({ description: "Why reauthorization is required (Zoom's error), when it is." }),
});
export type ConnectionView = z.infer<typeof ConnectionView>;

function view(organizationId: string, g: StoredGrant | undefined): ConnectionView {
  if (!g) return { organizationId, state: "NotConnected" };
  const { state, accountId, userId, scopes, missingScopes, connectedAt, lastRefreshAt, reason } = g;
  return { organizationId, state, accountId, userId, scopes, missingScopes: missingScopes ?? [], connectedAt, lastRefreshAt, reason };
}

export function createConnections(p: ConnectionsProps) {
  const me = (grant: { apiUrl: string; accessToken: string }) => p.zoom.me(grant.apiUrl, grant.accessToken);
  return {
    async status(organizationId: string): Promise<ConnectionView> {
      return view(organizationId, (await p.store.read()).grants.get(grantKey(organizationId)));
    },

    /** Calls Zoom with the connection's token (refreshing once after a 124): proves the connection works. */
    async verify(organizationId: string): Promise<ConnectionView> {
      const grant = await p.tokens.get(organizationId);
      let who: { userId: string; accountId: string };
      try {
        who = await me(grant);
      } catch (error) {
        if (!(error instanceof ZoomApiError && error.zoomCode === 124)) throw asServiceError(error);
        who = await me(await p.tokens.refreshAfterRejection(organizationId, grant.accessToken)).catch((e) => {
          throw asServiceError(e);
        });
      }
      return { organizationId, state: "Connected", accountId: who.accountId, userId: who.userId, scopes: [...grant.scopes] };
    },

    /** Revokes the grant at Zoom (which uninstalls the app for that account), then deletes the tokens. Idempotent. */
    async disconnect(organizationId: string): Promise<void> {
      const key = grantKey(organizationId);
      const grant = (await p.store.read()).grants.get(key);
      if (!grant) return;
      await p.zoom.revoke(grant.accessToken, grant.refreshToken);
      const { snapshot } = await p.store.update((draft) => {
        draft.grants.delete(key);
        draft.locks.delete(key);
      });
      p.tokens.remember(organizationId, undefined);
      p.log.info({ organizationId, accountId: grant.accountId }, "Zoom disconnected");
      await p.events.record(
        snapshot.owner,
        "Normal",
        EventReason.Disconnected,
        `Zoom disconnected for organization ${organizationId} (account ${grant.accountId}).`,
      );
    },

    /** Zoom says the app was uninstalled from `accountId`: its tokens go (its meetings stay). Idempotent. */
    async deauthorize(accountId: string): Promise<string[]> {
      const { result: removed, snapshot } = await p.store.update((draft) => {
        const gone = [...draft.grants].filter(([, g]) => g.accountId === accountId);
        for (const [key] of gone) {
          draft.grants.delete(key);
          draft.locks.delete(key);
        }
        return gone.map(([, g]) => g.organizationId);
      });
      for (const org of removed) p.tokens.remember(org, undefined);
      if (removed.length > 0) {
        p.log.info({ accountId, organizations: removed.length }, "Zoom app deauthorized: tokens deleted");
        await p.events.record(
          snapshot.owner,
          "Warning",
          EventReason.Deauthorized,
          `Zoom reported the app uninstalled from account ${accountId}: the tokens of ${removed.length} organization(s) were deleted; connect again to use Zoom.`,
        );
      }
      return removed;
    },
  };
}

export type Connections = ReturnType<typeof createConnections>;

function asServiceError(error: unknown): unknown {
  if (!(error instanceof ZoomApiError)) return error;
  return new ServiceError(ErrorCode.ZoomRejected, `Zoom refused the request (${error.zoomCode ?? error.status})`, {
    cause: error,
    details: { zoomCode: error.zoomCode },
  });
}

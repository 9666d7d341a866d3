// The test-side levers of the Marketplace: what an admin does in Zoom's UI (add or deactivate a
// Server-to-Server app, change its scopes) and what a test reads back (the apps the API made).
import { type MarketplaceApp, marketplaceState } from "./s2s.ts";
import type { Store } from "./store.ts";

export interface MarketplaceAppSummary {
  readonly appId: string;
  readonly appName: string;
  readonly accountId: string;
  readonly clientId: string;
  readonly deleted: boolean;
  readonly manifest: Record<string, unknown>;
}

export interface MarketplaceLevers {
  /** Adds (or replaces) an S2S app; `scopes` are what its tokens carry. */
  addServerToServerApp(app: { clientId: string; clientSecret: string; accountId: string; scopes: readonly string[] }): void;
  /** Deactivates (false) or reactivates an S2S app: a deactivated one gets invalid_client, its tokens 124. */
  setServerToServerActive(clientId: string, active: boolean): void;
  setServerToServerScopes(clientId: string, scopes: readonly string[]): void;
  /** Every app the Marketplace API created, deleted ones included, oldest first. */
  apps(): MarketplaceAppSummary[];
}

const summary = (a: MarketplaceApp): MarketplaceAppSummary => ({
  appId: a.appId,
  appName: a.appName,
  accountId: a.accountId,
  clientId: a.clientId,
  deleted: a.deleted,
  manifest: structuredClone(a.manifest),
});

export function marketplaceLevers(store: Store): MarketplaceLevers {
  const state = () => marketplaceState(store);
  const s2s = (clientId: string) => {
    const app = state().s2sApps.get(clientId);
    if (!app) throw new Error(`zoom-emulator: no Server-to-Server app ${clientId}`);
    return app;
  };
  return {
    addServerToServerApp: (app) => state().s2sApps.set(app.clientId, { ...app, scopes: [...app.scopes], active: true }),
    setServerToServerActive(clientId, active) {
      s2s(clientId).active = active;
    },
    setServerToServerScopes(clientId, scopes) {
      s2s(clientId).scopes = [...scopes];
      // NB: tokens keep the scopes they were issued with, as Zoom's do; a new token carries the new ones.
    },
    apps: () => [...state().apps.values()].map(summary),
  };
}

import { describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.ts";
import { grantKey, readConnections, type StoredGrant } from "../../common/tenant/token-secret.ts";
import { ErrorCode, type ServiceError } from "../errors.ts";
import type { EventRecorder } from "../kube/event-recorder.ts";
import { createMetrics } from "../metrics.ts";
import { ZoomOAuthError, type ZoomOAuthClient } from "../zoom/zoom-oauth-client.ts";
import { createMemoryTokenStore } from "./memory-token-store.ts";
import { createTokenManager } from "./token-manager.ts";

const T0 = Date.parse("2025-03-10T09:00:00Z");
const log = createLogger({ level: "silent", name: "test" });

function grant(over: Partial<StoredGrant> = {}): StoredGrant {
  return {
    organizationId: "org-1",
    accountId: "acct",
    userId: "user",
    accessToken: "at-0",
    refreshToken: "rt-0",
    accessTokenExpiresAt: new Date(T0 + 3_599_000).toISOString(),
    scopes: ["meeting:write:admin"],
    apiUrl: "https://api.zoom.us",
    connectedAt: new Date(T0).toISOString(),
    lastRefreshAt: new Date(T0).toISOString(),
    state: "Connected",
    ...over,
  };
}

/** A Zoom that rotates refresh tokens and refuses a reused one, counting calls. */
function fakeZoom(clock: { now: number }) {
  let current = "rt-0";
  let n = 0;
  const calls = { refresh: 0, reused: 0 };
  const zoom: ZoomOAuthClient = {
    async refresh(token) {
      calls.refresh++;
      await new Promise((r) => setTimeout(r, 5));
      if (token !== current) {
        calls.reused++;
        throw new ZoomOAuthError(400, "invalid_grant", "Invalid Token!", undefined);
      }
      n++;
      current = `rt-${n}`;
      return {
        accessToken: `at-${n}`,
        refreshToken: current,
        expiresInSeconds: 3599,
        scopes: ["meeting:write:admin"],
        apiUrl: "https://api.zoom.us",
      };
    },
    exchangeCode: async () => {
      throw new Error("unused");
    },
    revoke: async () => true,
    me: async () => ({ userId: "user", accountId: "acct" }),
  };
  void clock;
  return {
    zoom,
    calls,
    kill: () => {
      current = "dead";
    },
  };
}

async function setup(stored: StoredGrant = grant()) {
  const clock = { now: T0 };
  const store = createMemoryTokenStore(() => clock.now);
  await store.update((d) => void d.grants.set(grantKey(stored.organizationId), stored));
  const zoom = fakeZoom(clock);
  const recorded: string[] = [];
  const events: EventRecorder = { record: async (_o, _t, reason) => void recorded.push(reason) };
  const replica = (holder: string) =>
    createTokenManager({
      store,
      zoom: zoom.zoom,
      events,
      metrics: createMetrics(),
      log,
      now: () => clock.now,
      holder,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms / 20)),
    });
  return { clock, store, zoom, recorded, replicas: [replica("a"), replica("b"), replica("c")] };
}

describe("TokenManager", () => {
  it("serves the stored token without refreshing while it is valid", async () => {
    const { replicas, zoom } = await setup();
    expect((await replicas[0]!.get("org-1")).accessToken).toBe("at-0");
    expect(zoom.calls.refresh).toBe(0);
  });

  it("refreshes once for many concurrent rejections across three replicas and all reuse the new token", async () => {
    const { replicas, zoom, store } = await setup();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => replicas[i % 3]!.refreshAfterRejection("org-1", "at-0")));
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set(["at-1"]));
    expect(zoom.calls).toEqual({ refresh: 1, reused: 0 });
    const after = await store.read();
    expect(after.locks.size).toBe(0);
    expect(after.grants.get(grantKey("org-1"))?.refreshToken).toBe("rt-1");
  });

  it("refreshes shortly before expiry when a caller asks for a token", async () => {
    const { replicas, zoom, clock } = await setup();
    clock.now = T0 + 3_599_000 - 60_000;
    const got = await Promise.all([replicas[0]!.get("org-1"), replicas[1]!.get("org-1")]);
    expect(got.map((g) => g.accessToken)).toEqual(["at-1", "at-1"]);
    expect(zoom.calls.refresh).toBe(1);
  });

  it("takes over the lock of a holder that crashed once the lock expired", async () => {
    const { replicas, zoom, store, clock } = await setup();
    await store.update((d) => void d.locks.set(grantKey("org-1"), { holder: "crashed", id: "x", until: T0 + 30_000 }));
    clock.now = T0 + 31_000;
    expect((await replicas[0]!.refreshAfterRejection("org-1", "at-0")).accessToken).toBe("at-1");
    expect(zoom.calls.refresh).toBe(1);
  });

  it("turns invalid_grant into ReauthorizationRequired once, with an Event, and never calls Zoom again", async () => {
    const { replicas, zoom, store, recorded } = await setup();
    zoom.kill();
    const failures = await Promise.all(replicas.map((r) => r.refreshAfterRejection("org-1", "at-0").catch((e) => e)));
    for (const f of failures) expect((f as ServiceError).code).toBe(ErrorCode.ReauthorizationRequired);
    await expect(replicas[0]!.get("org-1")).rejects.toMatchObject({ code: ErrorCode.ReauthorizationRequired });
    expect(zoom.calls.refresh).toBe(1);
    expect(recorded).toEqual(["ReauthorizationRequired"]);
    const connections = readConnections((await store.read()).secret.metadata?.annotations).connections;
    expect(connections).toMatchObject([{ organizationId: "org-1", state: "ReauthorizationRequired" }]);
  });

  it("answers CONNECTION_MISSING for an organization that never connected", async () => {
    const { replicas } = await setup();
    await expect(replicas[0]!.get("org-2")).rejects.toMatchObject({ code: ErrorCode.ConnectionMissing });
  });

  it("refreshes an idle grant once a day, and only once across replicas", async () => {
    const { replicas, zoom, clock } = await setup();
    clock.now = T0 + 25 * 60 * 60_000;
    await Promise.all(replicas.map((r) => r.refreshIdleGrants()));
    expect(zoom.calls.refresh).toBe(1);
  });
});

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

  it("takes over a crashed holder's lock only once it went unchanged for its ttl on this replica's clock", async () => {
    const { replicas, zoom, store, clock } = await setup();
    await store.update((d) => void d.locks.set(grantKey("org-1"), { holder: "crashed", id: "x", ttlMs: 15_000, renewals: 0 }));
    // NB: the lock carries no time: however late this replica's clock is, it waits 15 s from first sight.
    clock.now = T0 + 10 * 60_000;
    const refreshed = replicas[0]!.refreshAfterRejection("org-1", "at-0");
    await new Promise((r) => setTimeout(r, 30));
    expect(zoom.calls.refresh).toBe(0);
    clock.now += 14_000;
    await new Promise((r) => setTimeout(r, 30));
    expect(zoom.calls.refresh).toBe(0);
    clock.now += 1_000;
    expect((await refreshed).accessToken).toBe("at-1");
    expect(zoom.calls.refresh).toBe(1);
  });

  it("waits again when the holder renews its lock, however long the refresh takes", async () => {
    const { replicas, zoom, store, clock } = await setup();
    const key = grantKey("org-1");
    await store.update((d) => void d.locks.set(key, { holder: "slow", id: "x", ttlMs: 15_000, renewals: 0 }));
    const refreshed = replicas[1]!.refreshAfterRejection("org-1", "at-0");
    for (let renewals = 1; renewals <= 3; renewals++) {
      await new Promise((r) => setTimeout(r, 30));
      clock.now += 8_000; // 24 s in all: past a first sighting's 15 s, so only the renewals keep the lock

      await store.update((d) => void d.locks.set(key, { holder: "slow", id: "x", ttlMs: 15_000, renewals }));
    }
    await new Promise((r) => setTimeout(r, 30));
    expect(zoom.calls.refresh).toBe(0);
    clock.now += 15_000;
    expect((await refreshed).accessToken).toBe("at-1");
    expect(zoom.calls).toEqual({ refresh: 1, reused: 0 });
  });

  it("renews its own lock every third of its ttl while a slow refresh runs, and releases it once the tokens are stored", async () => {
    const { store, clock, replicas } = await setup();
    const key = grantKey("org-1");
    const seen = new Set<number>();
    const slow: ZoomOAuthClient = {
      async refresh() {
        // NB: the injected sleep runs 20x faster: 600 ms real is 12 s of lock time, past a 5 s renewal interval twice.
        for (let i = 0; i < 12; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const lock = (await store.read()).locks.get(key);
          if (lock) seen.add(lock.renewals);
        }
        return { accessToken: "at-slow", refreshToken: "rt-slow", expiresInSeconds: 3599, scopes: [], apiUrl: "https://api.zoom.us" };
      },
      exchangeCode: async () => Promise.reject(new Error("unused")),
      revoke: async () => true,
      me: async () => ({ userId: "user", accountId: "acct" }),
    };
    const events: EventRecorder = { record: async () => undefined };
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms / 20));
    const holder = createTokenManager({
      store,
      zoom: slow,
      events,
      metrics: createMetrics(),
      log,
      now: () => clock.now,
      holder: "h",
      sleep,
    });
    const refreshed = holder.refreshAfterRejection("org-1", "at-0");
    const waiter = replicas[1]!.refreshAfterRejection("org-1", "at-0");
    expect((await refreshed).accessToken).toBe("at-slow");
    expect((await waiter).accessToken).toBe("at-slow");
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(2);
    expect((await store.read()).locks.size).toBe(0);
  });

  it("aborts the call to Zoom at the refresh deadline, releases the lock and counts a timeout", async () => {
    const { store, clock } = await setup();
    let aborted = false;
    const hanging: ZoomOAuthClient = {
      refresh: (_token, signal) =>
        new Promise((_resolve, reject) =>
          signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          }),
        ),
      exchangeCode: async () => Promise.reject(new Error("unused")),
      revoke: async () => true,
      me: async () => ({ userId: "user", accountId: "acct" }),
    };
    const metrics = createMetrics();
    const events: EventRecorder = { record: async () => undefined };
    const manager = createTokenManager({
      store,
      zoom: hanging,
      events,
      metrics,
      log,
      now: () => clock.now,
      holder: "a",
      refreshDeadlineMs: 50,
    });
    await expect(manager.refreshAfterRejection("org-1", "at-0")).rejects.toThrow("aborted");
    expect(aborted).toBe(true);
    expect((await store.read()).locks.size).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString("zio_service_token_refreshes_total")).toContain('result="timeout"} 1');
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

  it("re-reads the Secret before answering REAUTHORIZATION_REQUIRED, so a reconnect through another replica counts at once", async () => {
    const { replicas, zoom, store } = await setup();
    zoom.kill();
    await expect(replicas[0]!.refreshAfterRejection("org-1", "at-0")).rejects.toMatchObject({ code: ErrorCode.ReauthorizationRequired });
    await store.update((d) => void d.grants.set(grantKey("org-1"), grant({ accessToken: "at-new", refreshToken: "rt-new" })));
    expect((await replicas[0]!.get("org-1")).accessToken).toBe("at-new");
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

// The idempotency store on the real control plane, acting as the tenant's ServiceAccount under the
// chart's own Role: records are claimed exactly once across "replicas", sharded so that different
// keys never queue on one object, expired without a sweep, bounded per shard, and the service
// reads and writes no ConfigMap beyond its state ConfigMap and its shards.
import { type ApiException, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { renderTenant } from "../../charts/tenant/render.ts";
import { minimalProps } from "../../charts/tenant/test-fixtures.ts";
import { idempotencyShardName } from "../../common/tenant/idempotency-shards.ts";
import { ErrorCode, ServiceError } from "../../service/errors.ts";
import { ConfigMapIdempotencyStore, shardOf } from "../../service/meetings/configmap-idempotency-store.ts";
import type { IdempotencyRecord } from "../../service/meetings/idempotency-store.ts";
import { DEFAULT_TIMING, decideClaim } from "../../service/meetings/idempotent-create.ts";
import { parseShard } from "../../service/meetings/record-codec.ts";
import { createMetrics } from "../../service/metrics.ts";
import { clusterEnv, kubectl, userKubeConfig, useNamespace } from "../support/cluster-env.ts";

const ns = useNamespace("idem");
const STATE = "acme-zoom-state";
let serviceApi: CoreV1Api;
let serviceKc: KubeConfig;

beforeAll(async () => {
  // NB: ownerReferences dropped: the owning ZoomIntegration does not exist here, and the garbage
  // collector would delete orphans.
  const objects = renderTenant(minimalProps({ namespace: ns.name }))
    .filter((o) => ["ServiceAccount", "Role", "RoleBinding", "ConfigMap"].includes(o.kind))
    .map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } }));
  const applied = await kubectl(["apply", "-n", ns.name, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  });
  expect(applied.code, applied.stderr).toBe(0);
  const kc = await userKubeConfig(`system:serviceaccount:${ns.name}:acme-zoom`, [
    "system:serviceaccounts",
    `system:serviceaccounts:${ns.name}`,
  ]);
  serviceApi = kc.makeApiClient(CoreV1Api);
  serviceKc = kc;
});

function replica(
  options: { now?: () => number; maxShardBytes?: number; metrics?: ReturnType<typeof createMetrics>; format?: "json" | "compact" } = {},
) {
  return new ConfigMapIdempotencyStore({ kc: serviceKc, namespace: ns.name, name: STATE, ...options });
}

const attempt = (owner: string) => ({ fingerprint: "fp-1", owner, host: "me" });
const claim = (store: ConfigMapIdempotencyStore, key: string, owner: string, now = Date.now()) =>
  store.transact(key, (current) => decideClaim(current, attempt(owner), now, DEFAULT_TIMING));

const admin = () => clusterEnv().kc.makeApiClient(CoreV1Api);
async function shardKeys(key: string): Promise<string[]> {
  const map = await admin().readNamespacedConfigMap({ name: idempotencyShardName(STATE, shardOf(key)), namespace: ns.name });
  return Object.keys(parseShard(map));
}

/** `count` keys that hash to one shard: to test what shares an object. */
function keysInOneShard(prefix: string, count: number): string[] {
  const target = shardOf(`${prefix}-0`);
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) if (shardOf(`${prefix}-${i}`) === target) keys.push(`${prefix}-${i}`);
  return keys;
}

describe("the sharded ConfigMap idempotency store", () => {
  it("lets exactly one of 20 concurrent claims of one key across two replicas win", async () => {
    const [a, b] = [replica(), replica()];
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(i % 2 ? a : b, "race", `owner-${i}`)));
    expect(claims.filter((c) => c.kind === "claimed")).toHaveLength(1);
    expect(claims.filter((c) => c.kind === "busy")).toHaveLength(19);
  });

  it("claims 200 different keys at once across two replicas without a single refusal", async () => {
    const [a, b] = [replica(), replica()];
    const claims = await Promise.all(Array.from({ length: 200 }, (_, i) => claim(i % 2 ? a : b, `many-${i}`, `owner-${i}`)));
    expect(claims.filter((c) => c.kind === "claimed")).toHaveLength(200);
  });

  it("shows a completed record to another replica, in a shard the state ConfigMap owns, leaving the state ConfigMap alone", async () => {
    await kubectl(["patch", "configmap", STATE, "-n", ns.name, "--type=merge", "-p", '{"data":{"settings.x":"kept"}}']);
    const now = Date.now();
    const done: IdempotencyRecord = {
      fingerprint: "fp-1",
      state: "done",
      owner: "o",
      claimedAt: now,
      leaseUntil: now,
      expiresAt: now + DEFAULT_TIMING.ttlMs,
      host: "me",
      meetingId: "9007199254740993",
    };
    await replica().transact("done-key", () => ({ change: { put: done }, result: undefined }));
    expect(await claim(replica(), "done-key", "other")).toEqual({ kind: "done", meetingId: "9007199254740993" });
    const shard = await admin().readNamespacedConfigMap({ name: idempotencyShardName(STATE, shardOf("done-key")), namespace: ns.name });
    const state = await admin().readNamespacedConfigMap({ name: STATE, namespace: ns.name });
    expect(shard.metadata?.ownerReferences?.map((o) => o.uid)).toEqual([state.metadata?.uid]);
    expect(state.data).toEqual({ "settings.x": "kept" });
  });

  it("reads expired records as absent and drops them with the next write to their shard", async () => {
    let now = Date.now();
    const store = replica({ now: () => now });
    const [old, fresh] = keysInOneShard("expiry", 2) as [string, string];
    await claim(store, old, "x", now);
    expect(await shardKeys(old)).toContain(old);
    now += DEFAULT_TIMING.ttlMs + 1;
    expect(await store.transact(old, (current) => ({ result: current }))).toBeUndefined();
    await claim(store, fresh, "y", now);
    const keys = await shardKeys(fresh);
    expect(keys).not.toContain(old);
    expect(keys).toContain(fresh);
  });

  it("refuses a new claim in a full shard with 503 reason full and a Retry-After, counted, and reports the fill first", async () => {
    const metrics = createMetrics();
    const [first, second] = keysInOneShard("full", 2) as [string, string];
    await claim(replica({ maxShardBytes: 150, metrics }), first, "a");
    const fill = (await metrics.registry.getSingleMetric("zio_service_idempotency_shard_fill_ratio")?.get())?.values[0]?.value;
    expect(fill).toBeGreaterThan(0.5);
    const error = await claim(replica({ maxShardBytes: 150, metrics }), second, "b").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(ErrorCode.IdempotencyStoreUnavailable);
    expect((error as ServiceError).details).toMatchObject({ reason: "full" });
    expect((error as ServiceError).retryAfterSeconds).toBeGreaterThan(3600);
    expect(await metrics.registry.metrics()).toContain(`zio_service_idempotency_store_refusals_total{reason="full"} 1`);
  });

  it("shares shards between replicas writing JSON and compact records (the format migration): each sees the other's claims, one form stored at a time", async () => {
    const [json, compact] = [replica({ format: "json" }), replica({ format: "compact" })];
    const [k1, k2, k3] = keysInOneShard("formats", 3);
    expect((await claim(compact, k1!, "c-1")).kind).toBe("claimed");
    const stored = async () => {
      const map = await admin().readNamespacedConfigMap({ name: idempotencyShardName(STATE, shardOf(k1!)), namespace: ns.name });
      const records = parseShard(map);
      return [Object.keys(map.data ?? {}), Object.keys(map.binaryData ?? {}), [k1, k2, k3].filter((k) => k! in records)];
    };
    expect(await stored()).toEqual([[], ["records"], [k1]]);
    expect((await claim(json, k1!, "j-1")).kind).toBe("busy");
    expect((await claim(json, k2!, "j-2")).kind).toBe("claimed");
    expect(await stored()).toEqual([["records"], [], [k1, k2]]);
    expect((await claim(compact, k2!, "c-2")).kind).toBe("busy");
    expect((await claim(compact, k3!, "c-3")).kind).toBe("claimed");
    expect(await stored()).toEqual([[], ["records"], [k1, k2, k3]]);
  });

  it("runs on least privilege: it may create a ConfigMap (RBAC cannot limit create by name) but read or change none but its own", async () => {
    await kubectl(["create", "configmap", "someone-else", "-n", ns.name]);
    const read = await serviceApi.readNamespacedConfigMap({ name: "someone-else", namespace: ns.name }).catch((e: unknown) => e);
    expect((read as ApiException<unknown>).code).toBe(403);
    await serviceApi.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: "mine" } } });
    const own = await serviceApi.readNamespacedConfigMap({ name: "mine", namespace: ns.name }).catch((e: unknown) => e);
    expect((own as ApiException<unknown>).code).toBe(403);
    const list = await serviceApi.listNamespacedConfigMap({ namespace: ns.name }).catch((e: unknown) => e);
    expect((list as ApiException<unknown>).code).toBe(403);
  });
});

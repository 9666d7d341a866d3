// The idempotency store on the real control plane, acting as the tenant's ServiceAccount under the
// chart's own Role: records are claimed exactly once across "replicas", pruned, bounded, and the
// service needs no permission beyond its state ConfigMap.
import { type ApiException, CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { renderTenant } from "../../charts/tenant/render.ts";
import { minimalProps } from "../../charts/tenant/test-fixtures.ts";
import { ErrorCode, ServiceError } from "../../service/errors.ts";
import { ConfigMapIdempotencyStore, RECORD_PREFIX } from "../../service/meetings/configmap-idempotency-store.ts";
import { DEFAULT_TIMING, decideClaim } from "../../service/meetings/idempotent-create.ts";
import type { IdempotencyRecord } from "../../service/meetings/idempotency-store.ts";
import { clusterEnv, kubectl, userKubeConfig, useNamespace } from "../support/cluster-env.ts";

const ns = useNamespace("idem");
const STATE = "acme-zoom-state";
let serviceApi: CoreV1Api;

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
});

function replica(now: () => number = Date.now, maxBytes?: number): ConfigMapIdempotencyStore {
  return new ConfigMapIdempotencyStore({
    api: serviceApi,
    namespace: ns.name,
    name: STATE,
    now,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
}

const attempt = (owner: string) => ({ fingerprint: "fp-1", owner, host: "me" });

async function stateData(): Promise<Record<string, string>> {
  const map = await clusterEnv().kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: STATE, namespace: ns.name });
  return map.data ?? {};
}

describe("the ConfigMap idempotency store", () => {
  it("lets exactly one of 20 concurrent claims across two replicas win", async () => {
    const [a, b] = [replica(), replica()];
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).transact("race", (current) => decideClaim(current, attempt(`owner-${i}`), Date.now(), DEFAULT_TIMING)),
      ),
    );
    expect(claims.filter((c) => c.kind === "claimed")).toHaveLength(1);
    expect(claims.filter((c) => c.kind === "busy")).toHaveLength(19);
  });

  it("shows a completed record to another replica, and keeps other keys of the ConfigMap", async () => {
    await kubectl(["patch", "configmap", STATE, "-n", ns.name, "--type=merge", "-p", '{"data":{"tokens.lock":"part-1"}}']);
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
    const seen = await replica().transact("done-key", (current) => decideClaim(current, attempt("other"), Date.now(), DEFAULT_TIMING));
    expect(seen).toEqual({ kind: "done", meetingId: "9007199254740993" });
    expect((await stateData())["tokens.lock"]).toBe("part-1");
  });

  it("prunes expired records on the next write", async () => {
    let now = Date.now();
    const store = replica(() => now);
    await store.transact("short-lived", (current) => decideClaim(current, attempt("x"), now, DEFAULT_TIMING));
    expect(Object.keys(await stateData())).toContain(`${RECORD_PREFIX}short-lived`);
    now += DEFAULT_TIMING.ttlMs + 1;
    await store.transact("fresh", (current) => decideClaim(current, attempt("y"), now, DEFAULT_TIMING));
    const keys = Object.keys(await stateData());
    expect(keys).not.toContain(`${RECORD_PREFIX}short-lived`);
    expect(keys).toContain(`${RECORD_PREFIX}fresh`);
  });

  it("refuses a new claim with IDEMPOTENCY_STORE_UNAVAILABLE when the ConfigMap is full", async () => {
    const error = await replica(Date.now, 100)
      .transact("one-too-many", (current) => decideClaim(current, attempt("z"), Date.now(), DEFAULT_TIMING))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(ErrorCode.IdempotencyStoreUnavailable);
    expect((error as ServiceError).details).toMatchObject({ reason: "full" });
  });

  it("runs on least privilege: the ServiceAccount can touch no other ConfigMap", async () => {
    await kubectl(["create", "configmap", "someone-else", "-n", ns.name]);
    const read = await serviceApi.readNamespacedConfigMap({ name: "someone-else", namespace: ns.name }).catch((e: unknown) => e);
    expect((read as ApiException<unknown>).code).toBe(403);
    const create = await serviceApi
      .createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: "mine" } } })
      .catch((e: unknown) => e);
    expect((create as ApiException<unknown>).code).toBe(403);
  });
});

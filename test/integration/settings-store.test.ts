// Organization settings in the state ConfigMap on the real control plane, as the tenant's
// ServiceAccount under the chart's own Role: shared by replicas, and unaffected by concurrent
// idempotency records (those live in their own shard ConfigMaps).
import { CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { renderTenant } from "../../charts/tenant/render.ts";
import { minimalProps } from "../../charts/tenant/test-fixtures.ts";
import { ConfigMapIdempotencyStore } from "../../service/meetings/configmap-idempotency-store.ts";
import { DEFAULT_TIMING, decideClaim } from "../../service/meetings/idempotent-create.ts";
import { createConfigMapSettingsStore, settingsKey } from "../../service/settings/configmap-settings-store.ts";
import { clusterEnv, kubectl, userKubeConfig, useNamespace } from "../support/cluster-env.ts";

const ns = useNamespace("settings");
const STATE = "acme-zoom-state";
let serviceApi: CoreV1Api;

beforeAll(async () => {
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

const store = () => createConfigMapSettingsStore({ api: serviceApi, namespace: ns.name, name: STATE });

describe("the ConfigMap settings store", () => {
  it("reads the defaults until set, and another replica reads what one replica wrote", async () => {
    const [a, b] = [store(), store()];
    expect(await b.get("org-shared")).toEqual({ hostPolicy: "admin" });
    await a.put("org-shared", { hostPolicy: "required" });
    expect(await store().get("org-shared")).toEqual({ hostPolicy: "required" });
    const map = await clusterEnv().kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: STATE, namespace: ns.name });
    expect(JSON.parse(map.data?.[settingsKey("org-shared")] ?? "{}")).toEqual({ hostPolicy: "required" });
  });

  it("keeps every concurrent write: 10 organizations' settings and 10 idempotency claims", async () => {
    const settings = store();
    const idempotency = new ConfigMapIdempotencyStore({ api: serviceApi, namespace: ns.name, name: STATE });
    const attempt = (owner: string) => ({ fingerprint: "fp", owner, host: "me" });
    const claims = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        idempotency.transact(`key-${i}`, (current) => decideClaim(current, attempt(`o-${i}`), Date.now(), DEFAULT_TIMING)),
      ),
      ...Array.from({ length: 10 }, (_, i) => settings.put(`org-${i}`, { hostPolicy: "required" })),
    ]);
    const fresh = store();
    for (let i = 0; i < 10; i++) expect(await fresh.get(`org-${i}`)).toEqual({ hostPolicy: "required" });
    expect(claims.slice(0, 10).filter((c) => (c as { kind: string }).kind === "claimed")).toHaveLength(10);
  });
});

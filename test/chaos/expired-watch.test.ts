// The informers' loop (operator/runtime/list-watch.ts) when its watch's resourceVersion has expired
// (410 Gone), as every informer meets it after an API server restart: the restarted server's watch
// cache starts at a newer resourceVersion. The loop must list again at once, and the store must then
// report what changed while it was not watching, deletions included. Real expiry: between the
// informer's first list and its watch, objects change and kube-apiserver is restarted (this tier's
// control plane is its own).
import { CoreV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadKubeAccess } from "../../common/kube/kube-access.ts";
import { rawList } from "../../common/kube/raw-client.ts";
import { type ChangeType, startListWatch } from "../../operator/runtime/list-watch.ts";
import { loadState, restartComponent } from "../cluster/control-plane.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";

const ns = useNamespace("expired-watch");
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

const configMap = (name: string) => ({ metadata: { name, labels: { set: "expired" } }, data: { v: name } });

describe("an informer whose watch resourceVersion expired", () => {
  it("lists again at once and reports what changed meanwhile, deletions included", { timeout: 180_000 }, async () => {
    const core = clusterEnv().kc.makeApiClient(CoreV1Api);
    for (const name of ["kept", "deleted"]) await core.createNamespacedConfigMap({ namespace: ns.name, body: configMap(name) });
    const kc = await loadKubeAccess({ kubeconfig: clusterEnv().kubeconfigPath, serviceHost: undefined, servicePort: undefined });
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const path = `/api/v1/namespaces/${ns.name}/configmaps`;
    const labelSelector = "set=expired";
    const store = new Map<string, string>();
    const events: string[] = [];
    let lists = 0;
    const running = await startListWatch({
      kc,
      watch: { path, query: { labelSelector } },
      list: async () => {
        lists++;
        const list = await rawList(kc, "v1", "configmaps", { namespace: ns.name, labelSelector });
        if (lists > 1) return list;
        // Before the watch starts, one object goes, another comes, and the API server restarts.
        await core.deleteNamespacedConfigMap({ namespace: ns.name, name: "deleted" });
        await core.createNamespacedConfigMap({ namespace: ns.name, body: configMap("created") });
        await restartComponent((await loadState(clusterEnv().dir))!, "kube-apiserver");
        return list;
      },
      onList: (items) => {
        const listed = new Set(items.map((o) => o.metadata?.name ?? ""));
        for (const name of [...store.keys()].filter((n) => !listed.has(n))) {
          store.delete(name);
          events.push(`DELETED ${name}`);
        }
        for (const o of items) {
          if (!store.has(o.metadata?.name ?? "")) events.push(`LISTED ${o.metadata?.name}`);
          store.set(o.metadata?.name ?? "", o.metadata?.resourceVersion ?? "");
        }
      },
      onChange: (type: ChangeType, o) => {
        events.push(`${type} ${o.metadata?.name}`);
        if (type === "DELETED") store.delete(o.metadata?.name ?? "");
        else store.set(o.metadata?.name ?? "", o.metadata?.resourceVersion ?? "");
      },
      log,
    });
    stops.push(running.stop);
    await eventually(() => expect([...store.keys()].sort()).toEqual(["created", "kept"]), { timeout: 20_000 });
    expect(lists, events.join("; ")).toBe(2);
    expect(events).toEqual(expect.arrayContaining(["DELETED deleted", "LISTED created"]));
    expect(lines.some((l) => l.includes("410 Gone"))).toBe(true);
    expect(running.health()).toEqual({ synced: true }); // an expiry is not a failure: no backoff, healthy
    // and the new watch follows changes
    await core.createNamespacedConfigMap({ namespace: ns.name, body: configMap("later") });
    await eventually(() => expect(events).toContain("ADDED later"), { timeout: 20_000 });
    expect(lists).toBe(2);
  });
});

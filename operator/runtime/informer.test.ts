import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ObjectStore } from "./informer.ts";

const obj = (namespace: string, name: string, resourceVersion: string): KubernetesObject => ({
  metadata: { namespace, name, resourceVersion },
});
const names = (objects: readonly KubernetesObject[]) => objects.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);

describe("the informer's object store", () => {
  it("finds an object by name and namespace, and lists one namespace or all", () => {
    const store = new ObjectStore();
    store.set(obj("a", "x", "1"));
    store.set(obj("b", "x", "2"));
    expect(store.get("x", "b")?.metadata?.resourceVersion).toBe("2");
    expect(store.get("x", "c")).toBeUndefined();
    expect(names(store.list("a"))).toEqual(["a/x"]);
    expect(names(store.list()).sort()).toEqual(["a/x", "b/x"]);
  });

  it("forgets a deleted object, and an emptied namespace lists nothing", () => {
    const store = new ObjectStore();
    store.set(obj("a", "x", "1"));
    store.delete(obj("a", "x", "1"));
    expect(store.get("x", "a")).toBeUndefined();
    expect(store.list("a")).toEqual([]);
  });

  it("on a relist, reports new and changed objects and the ones gone, not the unchanged", () => {
    const store = new ObjectStore();
    for (const o of [obj("a", "same", "1"), obj("a", "changed", "1"), obj("a", "gone", "1")]) store.set(o);
    const changed = store.replace([obj("a", "same", "1"), obj("a", "changed", "2"), obj("b", "new", "3")]);
    expect(names(changed)).toEqual(["a/changed", "b/new", "a/gone"]);
    expect(store.get("gone", "a")).toBeUndefined();
    expect(store.get("changed", "a")?.metadata?.resourceVersion).toBe("2");
    expect(names(store.list()).sort()).toEqual(["a/changed", "a/same", "b/new"]);
  });
});

import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { AS_JSON, AS_OBJECTS, ObjectStore, type ObjectStoreOptions, type Packing } from "./informer.ts";

const obj = (namespace: string, name: string, resourceVersion: string): KubernetesObject => ({
  metadata: { namespace, name, resourceVersion },
});
const names = (objects: readonly KubernetesObject[]) => objects.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);

describe.each([
  ["parsed", AS_OBJECTS, {}],
  ["as JSON text", AS_JSON, {}],
  ["parsed, names indexed by namespace", AS_OBJECTS, { indexNamespaces: true }],
] as [string, Packing<KubernetesObject>, ObjectStoreOptions][])("the informer's object store, objects held %s", (_, packing, options) => {
  it("finds an object by name and namespace, and lists one namespace or all", () => {
    const store = new ObjectStore(packing, options);
    store.set(obj("a", "x", "1"));
    store.set(obj("b", "x", "2"));
    expect(store.get("x", "b")?.metadata?.resourceVersion).toBe("2");
    expect(store.get("x", "c")).toBeUndefined();
    expect(names(store.list("a"))).toEqual(["a/x"]);
    expect(names(store.list()).sort()).toEqual(["a/x", "b/x"]);
  });

  it("lists a namespace's objects, not those of a namespace whose name starts the same", () => {
    const store = new ObjectStore(packing, options);
    for (const o of [obj("a", "x", "1"), obj("a", "y", "1"), obj("ab", "x", "1"), obj("", "x", "1")]) store.set(o);
    expect(names(store.list("a")).sort()).toEqual(["a/x", "a/y"]);
    expect(names(store.list("ab"))).toEqual(["ab/x"]);
    expect(store.get("x")?.metadata?.namespace).toBe("");
    expect(store.list("b")).toEqual([]);
  });

  it("forgets a deleted object, and an emptied namespace lists nothing", () => {
    const store = new ObjectStore(packing, options);
    store.set(obj("a", "x", "1"));
    store.delete(obj("a", "x", "1"));
    expect(store.get("x", "a")).toBeUndefined();
    expect(store.list("a")).toEqual([]);
    expect(store.list()).toEqual([]);
  });

  it("on a relist, reports new and changed objects and the ones gone, not the unchanged", () => {
    const store = new ObjectStore(packing, options);
    for (const o of [obj("a", "same", "1"), obj("a", "changed", "1"), obj("a", "gone", "1")]) store.set(o);
    const changed = store.replace([obj("a", "same", "1"), obj("a", "changed", "2"), obj("b", "new", "3")]);
    expect(names(changed)).toEqual(["a/changed", "b/new", "a/gone"]);
    expect(store.get("gone", "a")).toBeUndefined();
    expect(store.get("changed", "a")?.metadata?.resourceVersion).toBe("2");
    expect(names(store.list()).sort()).toEqual(["a/changed", "a/same", "b/new"]);
  });

  it("counts what it holds without unpacking it", () => {
    const store = new ObjectStore(packing, options);
    store.set(obj("a", "x", "1"));
    store.set(obj("a", "x", "2"));
    store.set(obj("b", "y", "1"));
    expect(store.size).toBe(2);
    store.delete(obj("a", "x", "2"));
    store.delete(obj("a", "missing", "1"));
    expect(store.size).toBe(1);
    store.replace([obj("c", "z", "1")]);
    expect(store.size).toBe(1);
  });
});

describe("an object store holding JSON text", () => {
  it("gives every reader its own copy: a reader that changes what it got changes nothing held", () => {
    const store = new ObjectStore<KubernetesObject>(AS_JSON);
    store.set({ metadata: { namespace: "a", name: "x", resourceVersion: "1", labels: { k: "v" } } });
    const first = store.get("x", "a");
    if (first?.metadata?.labels) first.metadata.labels["k"] = "changed";
    expect(store.get("x", "a")?.metadata?.labels).toEqual({ k: "v" });
  });
});

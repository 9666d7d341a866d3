import type { KubernetesObject, V1ManagedFieldsEntry } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../common/api/constants.ts";
import { upToDate } from "./desired-state.ts";
import { LAST_APPLIED_ANNOTATION, slimmed } from "./slim.ts";

const ours: V1ManagedFieldsEntry = {
  manager: FIELD_MANAGER,
  operation: "Apply",
  apiVersion: "v1",
  fieldsType: "FieldsV1",
  fieldsV1: { "f:data": { "f:key": {} } },
};
const controllerStatus: V1ManagedFieldsEntry = { ...ours, manager: "kube-controller-manager", operation: "Update", subresource: "status" };
const oursOnStatus: V1ManagedFieldsEntry = { ...ours, subresource: "status" };
const mesh: V1ManagedFieldsEntry = { ...ours, manager: "mesh-injector" };

const live = (managedFields: V1ManagedFieldsEntry[], annotations?: Record<string, string>): KubernetesObject & { data: unknown } => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "n", resourceVersion: "7", managedFields, ...(annotations ? { annotations } : {}) },
  data: { key: "value" },
});

describe("what an informer keeps of an object", () => {
  it("keeps only our own Apply entry of a child's managedFields, and the rest of the object as it was", () => {
    const slim = slimmed(live([controllerStatus, ours, oursOnStatus, mesh]), true);
    expect(slim.metadata?.managedFields).toEqual([ours]);
    expect(slim).toMatchObject({ metadata: { name: "c", namespace: "n", resourceVersion: "7" }, data: { key: "value" } });
  });

  it("leaves the drift comparison's verdict unchanged: a child up to date stays up to date, one drifted stays drifted", () => {
    const desired = (value: string) =>
      ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, data: { key: value } }) as KubernetesObject;
    expect(upToDate(desired("value"), slimmed(live([mesh, ours]), true))).toBe(true);
    expect(upToDate(desired("other"), slimmed(live([mesh, ours]), true))).toBe(false);
    expect(upToDate(desired("value"), slimmed(live([mesh]), true))).toBe(false);
  });

  it("drops every managedFields entry of an object whose entries nobody reads (a ZoomIntegration)", () => {
    expect(slimmed(live([ours, mesh]), false).metadata).not.toHaveProperty("managedFields");
  });

  it("drops kubectl's last-applied annotation and keeps the other annotations", () => {
    const slim = slimmed(live([ours], { [LAST_APPLIED_ANNOTATION]: "{...}", "bookingops.dev/desired-hash": "abc" }), true);
    expect(slim.metadata?.annotations).toEqual({ "bookingops.dev/desired-hash": "abc" });
  });

  it("returns the object itself when there is nothing to drop", () => {
    const object = live([ours], { a: "b" });
    expect(slimmed(object, true)).toBe(object);
    const bare: KubernetesObject = { metadata: { name: "x" } };
    expect(slimmed(bare, false)).toBe(bare);
  });
});

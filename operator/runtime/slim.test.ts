import type { KubernetesObject, V1ManagedFieldsEntry } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../common/api/constants.ts";
import { upToDate } from "./desired-state.ts";
import { childView, contentVersion, LAST_APPLIED_ANNOTATION, slimmed } from "./slim.ts";

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

describe("childView", () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "d",
      namespace: "ns",
      uid: "u1",
      resourceVersion: "42",
      generation: 3,
      labels: { a: "b" },
      annotations: { big: "x".repeat(1000) },
      ownerReferences: [
        { apiVersion: "v1", kind: "Other", name: "o", uid: "u2" },
        { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: "zi", uid: "u3", controller: true },
      ],
      managedFields: [{ manager: "zoom-integration-operator", operation: "Apply", fieldsV1: { "f:spec": {} } }],
    },
    spec: { replicas: 2, template: { spec: { containers: [{ name: "c", image: "i" }] } } },
    status: {
      observedGeneration: 3,
      availableReplicas: 2,
      conditions: [
        {
          type: "Available",
          status: "True",
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
          lastUpdateTime: "t",
        },
        {
          type: "Progressing",
          status: "True",
          reason: "NewReplicaSetAvailable",
          message: "ReplicaSet d-1 has progressed.",
          lastTransitionTime: "t",
        },
      ],
    },
  };

  it("keeps the identity, the controller owner and the fields asked for, nothing else (not the uid)", () => {
    expect(childView(deployment, ["spec.replicas", "status"])).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "d",
        namespace: "ns",
        resourceVersion: "42",
        generation: 3,
        ownerReferences: [deployment.metadata.ownerReferences[1]],
      },
      spec: { replicas: 2 },
      status: deployment.status,
      contentVersion: contentVersion(deployment),
    });
    expect(childView(deployment, [])).not.toHaveProperty("status");
    expect(JSON.stringify(childView(deployment, [])).length).toBeLessThan(400);
  });

  it("keeps of a Deployment's status, for its availability, the available replicas and the conditions' types and statuses", () => {
    expect(childView(deployment, ["status.availability"]).status).toEqual({
      availableReplicas: 2,
      conditions: [
        { type: "Available", status: "True" },
        { type: "Progressing", status: "True" },
      ],
    });
  });

  it("a change to the owners or the uid moves the content version the view carries", () => {
    const owners = { ...deployment, metadata: { ...deployment.metadata, ownerReferences: [] } };
    const uid = { ...deployment, metadata: { ...deployment.metadata, uid: "u9" } };
    const version = childView(deployment, []).contentVersion;
    expect(childView(owners, []).contentVersion).not.toBe(version);
    expect(childView(uid, []).contentVersion).not.toBe(version);
  });
});

describe("contentVersion", () => {
  const controllerStatusEntry = { manager: "kube-controller-manager", operation: "Update", subresource: "status", time: "t1" };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "d",
      namespace: "ns",
      resourceVersion: "42",
      generation: 3,
      labels: { a: "b" },
      managedFields: [
        { manager: FIELD_MANAGER, operation: "Apply", apiVersion: "apps/v1", fieldsV1: { "f:spec": { "f:replicas": {} } }, time: "t0" },
        controllerStatusEntry,
      ],
    },
    spec: { replicas: 2 },
    status: { availableReplicas: 1 },
  };
  type D = typeof deployment;
  const cv = (o: unknown) => contentVersion(o as KubernetesObject);
  const v = (change: (d: D) => unknown) => cv(change(structuredClone(deployment)));
  const base = cv(deployment);

  it("stays the same when only the status, the resourceVersion or another manager's entry changed", () => {
    expect(v((d) => ({ ...d, status: { availableReplicas: 2 } }))).toBe(base);
    expect(v((d) => ({ ...d, metadata: { ...d.metadata, resourceVersion: "43" } }))).toBe(base);
    const [ours] = deployment.metadata.managedFields;
    const later = { ...controllerStatusEntry, time: "t2" };
    expect(v((d) => ({ ...d, metadata: { ...d.metadata, managedFields: [ours!, later] } }))).toBe(base);
    // a list item (no apiVersion/kind) and its view give the version of the object read whole
    const { apiVersion: _a, kind: _k, ...item } = deployment;
    expect(cv(item)).toBe(base);
    expect(cv(childView(item as unknown as KubernetesObject, []))).toBe(base);
  });

  it("changes with the spec, the metadata, or the fields we own", () => {
    expect(v((d) => ({ ...d, spec: { replicas: 3 } }))).not.toBe(base);
    expect(v((d) => ({ ...d, metadata: { ...d.metadata, labels: { a: "c" } } }))).not.toBe(base);
    const [ours] = deployment.metadata.managedFields;
    const taken = { ...ours!, fieldsV1: { "f:spec": {} } };
    expect(v((d) => ({ ...d, metadata: { ...d.metadata, managedFields: [taken, controllerStatusEntry] } }))).not.toBe(base);
    expect(v((d) => ({ ...d, metadata: { ...d.metadata, managedFields: [controllerStatusEntry] } }))).not.toBe(base);
  });
});

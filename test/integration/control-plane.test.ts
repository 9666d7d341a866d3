// Smoke tests proving the control plane is real: scheduling, kwok, garbage collection, RBAC,
// namespace deletion and CRDs behave as in a cluster.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  ApiextensionsV1Api,
  type V1Deployment,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { clusterEnv, createNamespace, kubectl, userKubeConfig, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";

const ns = useNamespace("smoke");

function deployment(name: string, replicas: number): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "example.invalid/app:1" }] },
      },
    },
  };
}

describe("the local control plane", () => {
  it("schedules a Deployment's pods onto kwok nodes, where they become Ready with loopback IPs", async () => {
    const { kc } = clusterEnv();
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment("web", 3) });
    const status = await eventually(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns.name });
        expect(d.status?.availableReplicas).toBe(3);
        return d.status;
      },
      { timeout: 60_000 },
    );
    expect(status?.readyReplicas).toBe(3);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: "app=web" });
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status?.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
    }
  });

  it("lets the garbage collector delete dependents once their owner is deleted", async () => {
    const core = clusterEnv().kc.makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: "owner" } } });
    const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid!, controller: true }];
    await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: "dependent", ownerReferences } } });
    await core.deleteNamespacedConfigMap({ name: "owner", namespace: ns.name });
    await eventually(
      async () => {
        const list = await core.listNamespacedConfigMap({ namespace: ns.name, fieldSelector: "metadata.name=dependent" });
        expect(list.items).toHaveLength(0);
      },
      { timeout: 60_000 },
    );
  });

  it("refuses a certificate user without RBAC rights with 403 and admits it after a RoleBinding", async () => {
    const { kc } = clusterEnv();
    const user = await userKubeConfig("smoke-reader", ["smoke-testers"]);
    const asUser = user.makeApiClient(CoreV1Api);
    await expect(asUser.listNamespacedConfigMap({ namespace: ns.name })).rejects.toMatchObject({ code: 403 });
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: { metadata: { name: "cm-reader" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.name,
      body: {
        metadata: { name: "cm-reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cm-reader" },
        subjects: [{ kind: "User", name: "smoke-reader", apiGroup: "rbac.authorization.k8s.io" }],
      },
    });
    await eventually(() => asUser.listNamespacedConfigMap({ namespace: ns.name }));
    await expect(asUser.listNamespacedSecret({ namespace: ns.name })).rejects.toMatchObject({ code: 403 });
  });

  it("completes a namespace deletion, removing what was inside", async () => {
    const { kc } = clusterEnv();
    const name = await createNamespace("doomed");
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: "inside" } } });
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: name, body: deployment("inside", 1) });
    await core.deleteNamespace({ name });
    await eventually(
      async () => {
        await expect(core.readNamespace({ name })).rejects.toMatchObject({ code: 404 });
      },
      { timeout: 90_000, interval: 500 },
    );
  });

  it("serves a CRD's resources once it is Established and discovered", async () => {
    const { kc } = clusterEnv();
    const group = "smoke.zio.test";
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: { spec: { type: "object", properties: { size: { type: "integer", minimum: 1 } } } },
              },
            },
          },
        ],
      },
    };
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd });
    await eventually(async () => {
      const res = await kubectl(["api-resources", `--api-group=${group}`, "-o", "name"]);
      expect(res.stdout).toContain(`widgets.${group}`);
    });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const body = { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } };
    await custom.createNamespacedCustomObject({ group, version: "v1", namespace: ns.name, plural: "widgets", body });
    const bad = { ...body, metadata: { name: "w2" }, spec: { size: 0 } };
    await expect(
      custom.createNamespacedCustomObject({ group, version: "v1", namespace: ns.name, plural: "widgets", body: bad }),
    ).rejects.toMatchObject({ code: 422 });
    const got = await custom.getNamespacedCustomObject({ group, version: "v1", namespace: ns.name, plural: "widgets", name: "w1" });
    expect(got).toMatchObject({ spec: { size: 3 } });
    await kc.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: `widgets.${group}` });
  });
});

import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../common/api/constants.ts";
import { driftOf, HASH_ANNOTATION, upToDate, withDesiredHash } from "./desired-state.ts";

// The live objects below are written as kube-apiserver 1.36 stores and returns them (checked on the
// test control plane): canonical quantities, empty values omitted, defaults filled in, and the
// field set of each manager in metadata.managedFields.
// biome-ignore lint/suspicious/noExplicitAny: live objects are plain JSON edited in place, as the API server would.
type Json = Record<string, any>;

const CONTAINER = {
  name: "service",
  image: "img:1",
  args: ["service"],
  env: [
    { name: "A", value: "1e3" },
    { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
  ],
  ports: [{ containerPort: 8080, name: "public" }],
  resources: { requests: { cpu: "0.5", memory: "1024Mi" }, limits: { memory: "1e9" } },
  securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
  volumeMounts: [{ name: "tmp", mountPath: "/tmp", readOnly: false }],
};

function desiredDeployment(container: Json = {}): KubernetesObject {
  return withDesiredHash({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", namespace: "n", labels: { app: "a" } },
    spec: {
      selector: { matchLabels: { app: "a" } },
      template: {
        metadata: { labels: { app: "a" } },
        spec: { enableServiceLinks: false, containers: [{ ...CONTAINER, ...container }], volumes: [{ name: "tmp", emptyDir: {} }] },
      },
    },
  } as KubernetesObject);
}

/** Our Apply entry's field set for desiredDeployment(), as the API server records it. */
function ourDeploymentFields(): Json {
  return {
    "f:metadata": { "f:annotations": { [`f:${HASH_ANNOTATION}`]: {} }, "f:labels": { "f:app": {} } },
    "f:spec": {
      "f:selector": {},
      "f:template": {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:enableServiceLinks": {},
          "f:containers": {
            'k:{"name":"service"}': {
              ".": {},
              "f:name": {},
              "f:image": {},
              "f:args": {},
              "f:env": {
                'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} },
                'k:{"name":"POD"}': { ".": {}, "f:name": {}, "f:valueFrom": { "f:fieldRef": {} } },
              },
              "f:ports": { 'k:{"containerPort":8080,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:name": {} } },
              "f:resources": { "f:requests": { "f:cpu": {}, "f:memory": {} }, "f:limits": { "f:memory": {} } },
              "f:securityContext": { "f:readOnlyRootFilesystem": {}, "f:allowPrivilegeEscalation": {} },
              "f:volumeMounts": { 'k:{"mountPath":"/tmp"}': { ".": {}, "f:mountPath": {}, "f:name": {}, "f:readOnly": {} } },
            },
          },
          "f:volumes": { 'k:{"name":"tmp"}': { ".": {}, "f:emptyDir": {}, "f:name": {} } },
        },
      },
    },
  };
}

/** desiredDeployment() as stored: quantities canonical, readOnly: false omitted, defaults filled in. */
function storedDeployment(desired: KubernetesObject = desiredDeployment(), fields: Json = ourDeploymentFields()): Json {
  const live = structuredClone(desired) as Json;
  delete live.apiVersion; // NB: list items carry neither
  delete live.kind;
  Object.assign(live.metadata, { uid: "u1", resourceVersion: "42", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" });
  live.metadata.annotations["deployment.kubernetes.io/revision"] = "1";
  live.metadata.managedFields = [
    { manager: FIELD_MANAGER, operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: fields },
    {
      manager: "kube-controller-manager",
      operation: "Update",
      subresource: "status",
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: {},
    },
  ];
  const pod = live.spec.template.spec;
  Object.assign(pod, { dnsPolicy: "ClusterFirst", restartPolicy: "Always", schedulerName: "default-scheduler" });
  const c = pod.containers[0];
  c.ports[0].protocol = "TCP";
  c.resources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1G" } };
  delete c.volumeMounts[0].readOnly;
  Object.assign(c, { imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" });
  c.env[1].valueFrom.fieldRef.apiVersion = "v1";
  Object.assign(live.spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
  live.status = { replicas: 1, readyReplicas: 1 };
  return live;
}

const ours = (live: Json): Json => live.metadata.managedFields[0].fieldsV1;
const podOf = (live: Json): Json => live.spec.template.spec;
const fieldsOfPod = (fields: Json): Json => fields["f:spec"]["f:template"]["f:spec"];
const containerFields = (fields: Json): Json => fieldsOfPod(fields)["f:containers"]['k:{"name":"service"}'];

/** A change to the stored Deployment, the way the API server would record it. */
type Edit = (live: Json) => void;

const deploymentCases: [string, Edit, boolean][] = [
  ["accepts the object exactly as the API server stored our apply (canonical quantities, omitted empties, defaults)", () => {}, true],
  [
    "accepts an env var and a sidecar container another field manager added (a mesh)",
    (live) => {
      podOf(live).containers[0].env.push({ name: "MESH", value: "on" });
      podOf(live).containers.push({ name: "proxy", image: "mesh:1" });
      live.metadata.managedFields.push({
        manager: "mesh",
        operation: "Apply",
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: {},
      });
    },
    true,
  ],
  [
    "accepts a label, an annotation and a volume another manager added",
    (live) => {
      live.metadata.labels.team = "payments";
      live.metadata.annotations["kubectl.kubernetes.io/restartedAt"] = "now";
      podOf(live).volumes.unshift({ name: "mesh-certs", emptyDir: {} });
    },
    true,
  ],
  ["accepts our list entries in another order", (live) => podOf(live).containers[0].env.reverse(), true],
  [
    "notices a falsy field removed by hand, which the API server takes out of our field set",
    (live) => {
      delete podOf(live).enableServiceLinks;
      delete fieldsOfPod(ours(live))["f:enableServiceLinks"];
    },
    false,
  ],
  [
    "notices a field we own changed by another manager, which takes it from us",
    (live) => {
      podOf(live).containers[0].securityContext.readOnlyRootFilesystem = false;
      delete containerFields(ours(live))["f:securityContext"]["f:readOnlyRootFilesystem"];
    },
    false,
  ],
  [
    "notices a quantity changed while still ours (an apply under our manager name), by value",
    (live) => {
      podOf(live).containers[0].resources.limits.memory = "2G";
    },
    false,
  ],
  [
    "notices our env var removed by hand",
    (live) => {
      podOf(live).containers[0].env.splice(0, 1);
      delete containerFields(ours(live))["f:env"]['k:{"name":"A"}'];
    },
    false,
  ],
  ["notices our env var's value changed while still ours", (live) => (podOf(live).containers[0].env[0].value = "1k"), false],
  ["notices an atomic list (args) with an element added, compared whole", (live) => podOf(live).containers[0].args.push("--debug"), false],
  ["notices an atomic struct (the selector) changed, compared whole", (live) => (live.spec.selector.matchLabels.app = "b"), false],
  [
    "notices our container replaced by another of a different name",
    (live) => {
      podOf(live).containers[0].name = "other";
      const set = fieldsOfPod(ours(live))["f:containers"];
      set['k:{"name":"other"}'] = set['k:{"name":"service"}'];
      delete set['k:{"name":"service"}'];
    },
    false,
  ],
  ["notices a volume mount still ours but gone from the live list", (live) => podOf(live).containers[0].volumeMounts.pop(), false],
  [
    "notices an object no apply of ours made (no Apply entry of our manager)",
    (live) => (live.metadata.managedFields[0].manager = "kubectl"),
    false,
  ],
  [
    "notices an object whose Apply entry is of another API version",
    (live) => (live.metadata.managedFields[0].apiVersion = "apps/v1beta2"),
    false,
  ],
  ["notices an object whose managed fields are absent", (live) => delete live.metadata.managedFields, false],
  [
    "notices a stale hash annotation (a field dropped from the desired state)",
    (live) => (live.metadata.annotations[HASH_ANNOTATION] = "old"),
    false,
  ],
];

describe("upToDate on a Deployment", () => {
  it.each(deploymentCases)("%s", (_name, edit, expected) => {
    const live = storedDeployment();
    edit(live);
    expect(upToDate(desiredDeployment(), live as KubernetesObject), driftOf(desiredDeployment(), live as KubernetesObject)).toBe(expected);
  });

  it("names the drift it found, as a field path", () => {
    const live = storedDeployment();
    podOf(live).containers[0].env[0].value = "changed";
    expect(driftOf(desiredDeployment(), live as KubernetesObject)).toBe(
      'spec.template.spec.containers[{"name":"service"}].env[{"name":"A"}].value differs',
    );
  });

  it("keys a container port by its defaulted protocol, as the API server does", () => {
    const live = storedDeployment();
    expect(Object.keys(containerFields(ours(live))["f:ports"])).toEqual(['k:{"containerPort":8080,"protocol":"TCP"}']);
    expect(upToDate(desiredDeployment(), live as KubernetesObject)).toBe(true);
  });
});

// Each quantity form the API accepts against the canonical form kube-apiserver stores.
const quantityCases: [string, string | number, string, boolean][] = [
  ["a decimal fraction", "0.5", "500m", true],
  ["a leading-dot fraction", ".5", "500m", true],
  ["a plus sign", "+1", "1", true],
  ["a binary multiple of a larger unit", "1024Mi", "1Gi", true],
  ["a fraction of a binary unit", "0.1Gi", "107374182400m", true],
  ["a decimal exponent", "1e3", "1k", true],
  ["an upper-case decimal exponent", "1E1", "10", true],
  ["micro units", "250000u", "250m", true],
  ["nano units", "100000000n", "100m", true],
  ["a bare integer", 134217728, "128Mi", true],
  ["a different amount", "0.5", "501m", false],
  ["a binary against the decimal unit", "1Gi", "1G", false],
];

describe("upToDate on quantities", () => {
  it.each(quantityCases)("judges %s (%s stored as %s)", (_name, written, stored, expected) => {
    const desired = desiredDeployment({ resources: { requests: { cpu: "0.5", memory: "1024Mi" }, limits: { memory: written } } });
    const live = storedDeployment(desired);
    podOf(live).containers[0].resources.limits.memory = stored;
    expect(upToDate(desired, live as KubernetesObject)).toBe(expected);
  });

  it("compares a string that merely looks like a quantity outside a quantity field as a string", () => {
    const live = storedDeployment();
    podOf(live).containers[0].env[0].value = "1k"; // desired "1e3"
    expect(upToDate(desiredDeployment(), live as KubernetesObject)).toBe(false);
  });
});

describe("upToDate on other kinds", () => {
  const serviceAccount = withDesiredHash({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "sa", ownerReferences: [{ apiVersion: "x/v1", kind: "X", name: "o", uid: "u0", controller: true }] },
    automountServiceAccountToken: false,
  } as KubernetesObject);
  const saFields = (): Json => ({
    "f:automountServiceAccountToken": {},
    "f:metadata": {
      "f:annotations": { [`f:${HASH_ANNOTATION}`]: {} },
      "f:ownerReferences": {
        'k:{"uid":"u0"}': { ".": {}, "f:apiVersion": {}, "f:controller": {}, "f:kind": {}, "f:name": {}, "f:uid": {} },
      },
    },
  });
  const storedSa = (fields = saFields()): Json => ({
    ...structuredClone(serviceAccount),
    metadata: {
      ...structuredClone(serviceAccount.metadata),
      managedFields: [{ manager: FIELD_MANAGER, operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: fields }],
    },
  });

  it("accepts a falsy top-level field that is still ours (automountServiceAccountToken: false)", () => {
    expect(upToDate(serviceAccount, storedSa() as KubernetesObject)).toBe(true);
  });

  it("notices automountServiceAccountToken removed by hand (gone from the object and from our set)", () => {
    const live = storedSa();
    delete live.automountServiceAccountToken;
    delete live.metadata.managedFields[0].fieldsV1["f:automountServiceAccountToken"];
    expect(driftOf(serviceAccount, live as KubernetesObject)).toBe("automountServiceAccountToken is not ours");
  });

  it("notices our owner reference removed by hand", () => {
    const fields = saFields();
    delete fields["f:metadata"]["f:ownerReferences"]['k:{"uid":"u0"}'];
    const live = storedSa(fields);
    live.metadata.ownerReferences = [];
    expect(upToDate(serviceAccount, live as KubernetesObject)).toBe(false);
  });

  it("compares Secrets by data, since the server turns stringData into data", () => {
    const desired = withDesiredHash({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { t: "abc" } } as never);
    expect(desired).toMatchObject({ data: { t: Buffer.from("abc").toString("base64") } });
    expect(desired).not.toHaveProperty("stringData");
  });

  it("changes the hash annotation when a field is removed from the desired state", () => {
    const cm = (data: Json) => withDesiredHash({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data } as KubernetesObject);
    expect(cm({ k: "v" }).metadata?.annotations?.[HASH_ANNOTATION]).not.toBe(
      cm({ k: "v", gone: "soon" }).metadata?.annotations?.[HASH_ANNOTATION],
    );
  });

  it("treats a missing live object as out of date", () => {
    expect(upToDate(serviceAccount, undefined)).toBe(false);
  });
});

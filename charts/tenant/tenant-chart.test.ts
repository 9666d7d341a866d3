import { describe, expect, it } from "vitest";
import { renderTenant } from "./render.ts";
import { field, fullProps, minimalProps, only } from "./test-fixtures.ts";

const minimal = renderTenant(minimalProps());
const full = renderTenant(fullProps());
const deployment = (objects = minimal) => only(objects, "Deployment");
const podSpec = (objects = minimal) => field(deployment(objects), "spec.template.spec");
const container = (objects = minimal) => podSpec(objects).containers[0];

describe("every object", () => {
  it("carries the five labels and a controller owner reference to the ZoomIntegration", () => {
    for (const object of full) {
      // NB: the state ConfigMap, rewritten by tenant traffic, stays out of the operator's managed-by selector.
      const managedBy = object.kind === "ConfigMap" ? "zoom-integration-service" : "zoom-integration-operator";
      expect(object.metadata.labels, object.kind).toEqual({
        "app.kubernetes.io/name": "zoom-integration-service",
        "app.kubernetes.io/instance": "acme",
        "app.kubernetes.io/managed-by": managedBy,
        "app.kubernetes.io/part-of": "zoom-integration-operator",
        "bookingops.dev/zoom-integration": "acme",
      });
      expect(object.metadata.ownerReferences, object.kind).toEqual([
        {
          apiVersion: "bookingops.dev/v1alpha1",
          kind: "ZoomIntegration",
          name: "acme",
          uid: "6f1c7a52-3b1e-4c8e-9d0a-1f2e3d4c5b6a",
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(object.metadata.namespace, object.kind).toBe("tenant-acme");
    }
  });

  it("is named <name>-zoom except the two Secrets and the state ConfigMap", () => {
    expect(minimal.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/acme-zoom",
      "Role/acme-zoom",
      "RoleBinding/acme-zoom",
      "Secret/acme-zoom-api-token",
      "Secret/acme-zoom-tokens",
      "ConfigMap/acme-zoom-state",
      "NetworkPolicy/acme-zoom",
      "Service/acme-zoom",
      "Deployment/acme-zoom",
      "PodDisruptionBudget/acme-zoom",
      "Ingress/acme-zoom",
    ]);
  });
});

describe("identity and permissions", () => {
  it("lets the service touch only its tokens Secret, its state ConfigMap, its idempotency and event shards and Events", () => {
    const data = ["get", "update", "patch", "list", "watch"];
    const shards = Array.from({ length: 512 }, (_, i) => `acme-zoom-state-idem-${i.toString(16).padStart(3, "0")}`);
    const eventShards = Array.from({ length: 8 }, (_, i) => `acme-zoom-state-events-${i}`);
    expect(only(minimal, "Role").rules).toEqual([
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["acme-zoom-tokens"], verbs: data },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["acme-zoom-state"], verbs: data },
      // NB: RBAC cannot restrict create by name: the shards are created on their first record.
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: shards, verbs: ["get", "update"] },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: eventShards, verbs: ["get", "update"] },
    ]);
  });

  it("binds the Role to the service's ServiceAccount only", () => {
    const binding = only(minimal, "RoleBinding");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "acme-zoom" });
    expect(binding.subjects).toEqual([{ apiGroup: "", kind: "ServiceAccount", name: "acme-zoom", namespace: "tenant-acme" }]);
  });

  it("renders the tokens Secret and the state ConfigMap without any data field", () => {
    const tokens = only(minimal, "Secret", "acme-zoom-tokens");
    expect(tokens.type).toBe("Opaque");
    expect(Object.keys(tokens).sort()).toEqual(["apiVersion", "kind", "metadata", "type"]);
    expect(Object.keys(only(minimal, "ConfigMap")).sort()).toEqual(["apiVersion", "kind", "metadata"]);
  });

  it("renders the api-token Secret's token and state key base64-encoded under data", () => {
    const secret = only(minimal, "Secret", "acme-zoom-api-token");
    expect(secret.data).toEqual({
      token: Buffer.from("api-token-value").toString("base64"),
      "state-key": Buffer.from("state-key-value").toString("base64"),
      "previous-token": "",
      "previous-token-expires-at": "",
      "previous-state-key": "",
      "previous-state-key-expires-at": "",
    });
    expect(secret).not.toHaveProperty("stringData");
    expect(secret.metadata.annotations).toBeUndefined();
  });

  it("renders a rotation's previous token, its expiry and the rotation it answers", () => {
    const rotated = renderTenant(
      minimalProps({
        apiToken: { token: "new", stateKey: "s", previous: { token: "old", expiresAt: "2026-06-01T13:00:00.000Z" }, rotation: "2026-06" },
      }),
    );
    const secret = only(rotated, "Secret", "acme-zoom-api-token") as unknown as {
      metadata: { annotations?: object };
      data: Record<string, string>;
    };
    expect(secret.metadata.annotations).toEqual({ "bookingops.dev/api-token-rotation": "2026-06" });
    expect(Buffer.from(secret.data["previous-token"] ?? "", "base64").toString()).toBe("old");
    expect(Buffer.from(secret.data["previous-token-expires-at"] ?? "", "base64").toString()).toBe("2026-06-01T13:00:00.000Z");
  });

  it("renders a state-key rotation's previous key, its expiry and the rotation it answers, beside the token's", () => {
    const rotated = renderTenant(
      minimalProps({
        apiToken: {
          token: "t",
          stateKey: "new-key",
          previousStateKey: { key: "old-key", expiresAt: "2026-06-01T12:30:00.000Z" },
          rotation: "2026-05",
          stateKeyRotation: "k-2",
        },
      }),
    );
    const secret = only(rotated, "Secret", "acme-zoom-api-token") as unknown as {
      metadata: { annotations?: object };
      data: Record<string, string>;
    };
    const decoded = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    expect(secret.metadata.annotations).toEqual({
      "bookingops.dev/api-token-rotation": "2026-05",
      "bookingops.dev/state-key-rotation": "k-2",
    });
    expect(decoded).toMatchObject({
      "state-key": "new-key",
      "previous-state-key": "old-key",
      "previous-state-key-expires-at": "2026-06-01T12:30:00.000Z",
      "previous-token": "",
    });
  });
});

describe("the Deployment", () => {
  it("selects pods by the name and instance labels only", () => {
    expect(field(deployment(), "spec.selector")).toEqual({
      matchLabels: { "app.kubernetes.io/name": "zoom-integration-service", "app.kubernetes.io/instance": "acme" },
    });
    expect(field(deployment(), "spec.template.metadata.labels")).toMatchObject(field(deployment(), "spec.selector.matchLabels"));
  });

  it("always sets replicas and rolls one surge pod at a time without losing one", () => {
    expect(field(deployment(), "spec.replicas")).toBe(2);
    expect(field(deployment(full), "spec.replicas")).toBe(3);
    expect(field(deployment(), "spec.strategy")).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });

  it("meets the restricted Pod Security Standard", () => {
    expect(podSpec().securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
  });

  it("mounts the ServiceAccount token, disables service links and spreads pods across nodes", () => {
    expect(podSpec().serviceAccountName).toBe("acme-zoom");
    expect(podSpec().automountServiceAccountToken).toBe(true);
    expect(podSpec().enableServiceLinks).toBe(false);
    expect(podSpec().topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: field(deployment(), "spec.selector.matchLabels") },
      },
    ]);
  });

  it("overrides cdk8s-plus's resource and pull-policy defaults", () => {
    expect(container().resources).toEqual({ requests: { cpu: "25m", memory: "64Mi" }, limits: { memory: "256Mi" } });
    expect(container().imagePullPolicy).toBe("IfNotPresent");
    expect(container(full).resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    expect(container(full).imagePullPolicy).toBe("Always");
  });

  it("keeps the default memory request when only a CPU request is given", () => {
    const objects = renderTenant(minimalProps({ resources: { requests: { cpu: "50m" } } }));
    expect(container(objects).resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } });
  });

  it("runs the service command with named ports and probes on the api port", () => {
    expect(container().name).toBe("service");
    expect(container().image).toBe("ghcr.io/bookingops/zoom-integration-operator:0.1.0");
    expect(container().args).toEqual(["service"]);
    expect(container().ports).toEqual([
      { name: "public", containerPort: 8080, protocol: "TCP" },
      { name: "api", containerPort: 8081, protocol: "TCP" },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ]);
    expect(container().readinessProbe.httpGet).toEqual({ path: "/readyz", port: "api" });
    expect(container().livenessProbe.httpGet).toEqual({ path: "/healthz", port: "api" });
  });

  it("annotates the pod template with the credentials checksum", () => {
    expect(field(deployment(), "spec.template.metadata.annotations")).toEqual({ "bookingops.dev/credentials-checksum": "sha256:1111" });
  });
});

describe("the Service, NetworkPolicy and PodDisruptionBudget", () => {
  const selector = { "app.kubernetes.io/name": "zoom-integration-service", "app.kubernetes.io/instance": "acme" };

  it("exposes the public and api ports on a ClusterIP Service", () => {
    const service = only(minimal, "Service");
    expect(service.spec).toEqual({
      type: "ClusterIP",
      selector,
      ports: [
        { name: "public", port: 8080, targetPort: 8080, protocol: "TCP" },
        { name: "api", port: 8081, targetPort: 8081, protocol: "TCP" },
      ],
    });
  });

  it("admits anyone on the public port and only client pods of the namespace on the api port", () => {
    expect(only(minimal, "NetworkPolicy").spec).toEqual({
      podSelector: { matchLabels: selector },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: 8080 }] }, { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8081 }] }],
    });
  });

  it("combines the client pod and namespace selectors in one peer when a namespace selector is given", () => {
    expect(field(only(full, "NetworkPolicy"), "spec.ingress")[1].from).toEqual([
      {
        podSelector: { matchLabels: { app: "booking" }, matchExpressions: [{ key: "tier", operator: "In", values: ["api", "worker"] }] },
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "booking" } },
      },
    ]);
  });

  it("keeps the metrics port closed unless scrapers are configured, then opens it to them only", () => {
    const rules = (props: Parameters<typeof renderTenant>[0]) =>
      field(only(renderTenant(props), "NetworkPolicy"), "spec.ingress") as { ports: { port: number }[]; from?: unknown[] }[];
    expect(rules(minimalProps()).flatMap((r) => r.ports.map((p) => p.port))).not.toContain(9090);
    const scrapers = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
    };
    const metrics = rules(minimalProps({ metricsScrapers: scrapers })).filter((r) => r.ports.some((p) => p.port === 9090));
    expect(metrics).toEqual([{ from: [scrapers], ports: [{ protocol: "TCP", port: 9090 }] }]);
  });

  it("lets at most one pod be evicted at a time", () => {
    expect(only(minimal, "PodDisruptionBudget").spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
  });
});

describe("the Ingress", () => {
  const backend = { service: { name: "acme-zoom", port: { number: 8080 } } };
  const rules = [
    {
      host: "app.acme.example",
      http: {
        paths: [
          { path: "/organization/integration/zoom/redirect", pathType: "Exact", backend },
          { path: "/zoom-integration/", pathType: "Prefix", backend },
        ],
      },
    },
  ];

  it("routes only the redirect path and the /zoom-integration/ prefix of app.<domain> to the public port", () => {
    const ingress = only(minimal, "Ingress");
    expect(ingress.spec).toEqual({ rules });
    expect(ingress.metadata.annotations).toBeUndefined();
  });

  it("sets the class, TLS secret and annotations when given", () => {
    const ingress = only(full, "Ingress");
    expect(ingress.spec).toEqual({ ingressClassName: "nginx", rules, tls: [{ hosts: ["app.acme.example"], secretName: "app-acme-tls" }] });
    expect(ingress.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
  });
});

describe("the HTTPRoute (routing.gateway)", () => {
  const gateway = { parentRefs: [{ name: "edge", namespace: "gateways", sectionName: "https" }, { name: "local" }] };
  const routed = renderTenant(minimalProps({ gateway }));

  it("replaces the Ingress: an HTTPRoute for app.<domain>, attached to the named Gateways", () => {
    expect(routed.filter((o) => o.kind === "Ingress")).toEqual([]);
    expect(minimal.filter((o) => o.kind === "HTTPRoute")).toEqual([]);
    const route = only(routed, "HTTPRoute", "acme-zoom");
    expect(route.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(field(route, "spec.hostnames")).toEqual(["app.acme.example"]);
    expect(field(route, "spec.parentRefs")).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge", namespace: "gateways", sectionName: "https" },
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "local" },
    ]);
  });

  it("routes only the paths the Ingress routes, to the public port", () => {
    expect(field(only(routed, "HTTPRoute"), "spec.rules")).toEqual([
      {
        matches: [
          { path: { type: "Exact", value: "/organization/integration/zoom/redirect" } },
          { path: { type: "PathPrefix", value: "/zoom-integration/" } },
        ],
        backendRefs: [{ group: "", kind: "Service", name: "acme-zoom", port: 8080 }],
      },
    ]);
  });

  it("is owned by the ZoomIntegration and applied last", () => {
    const route = only(routed, "HTTPRoute");
    expect(route.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ZoomIntegration", name: "acme", controller: true });
    expect(routed.at(-1)?.kind).toBe("HTTPRoute");
  });
});

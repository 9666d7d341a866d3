// Props for the chart's unit tests: the minimal tenant (every default) and the full one (every option).
import type { TenantProps } from "./props.ts";
import type { KubeObject } from "./render.ts";

export function minimalProps(overrides: Partial<TenantProps> = {}): TenantProps {
  return {
    name: "acme",
    namespace: "tenant-acme",
    owner: { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: "acme", uid: "6f1c7a52-3b1e-4c8e-9d0a-1f2e3d4c5b6a" },
    domain: "acme.example",
    credentialsSecret: { name: "zoom-oauth-client" },
    scopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"],
    image: "ghcr.io/bookingops/zoom-integration-operator:0.1.0",
    credentialsChecksum: "sha256:1111",
    apiToken: { token: "api-token-value", stateKey: "state-key-value" },
    ...overrides,
  };
}

export function fullProps(overrides: Partial<TenantProps> = {}): TenantProps {
  return minimalProps({
    credentialsSecret: { name: "zoom-oauth-client", clientIdKey: "id", clientSecretKey: "secret" },
    webhookSecret: { name: "zoom-webhook", key: "token" },
    afterConnectPath: "/settings/integrations",
    clientsPodSelector: {
      matchLabels: { app: "booking" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["api", "worker"] }],
    },
    clientsNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "booking" } },
    ingress: {
      className: "nginx",
      tlsSecretName: "app-acme-tls",
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
    },
    replicas: 3,
    imagePullPolicy: "Always",
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    zoom: { oauthBaseUrl: "http://zoom-emulator.test.svc:9000", apiBaseUrl: "http://zoom-emulator.test.svc:9000/api" },
    ...overrides,
  });
}

/** The one object of `kind` in `objects`; fails loudly when absent or ambiguous. */
export function only(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ""}, found ${found.length}`);
  return found[0]!;
}

/** Reads a nested field of a rendered object by path, for terse assertions. */
// biome-ignore lint/suspicious/noExplicitAny: rendered objects are plain JSON; the tests assert their shape.
export function field(object: unknown, path: string): any {
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  return path.split(".").reduce<any>((value, key) => value?.[key], object);
}

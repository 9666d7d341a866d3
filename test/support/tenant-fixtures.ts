// Manifests of a tenant for integration tests: a credentials Secret and a ZoomIntegration.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../common/api/constants.ts";

export const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export async function createCredentials(kc: KubeConfig, namespace: string, name: string, id = "client-id-1", secret = "client-secret-1") {
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name }, data: { clientId: b64(id), clientSecret: b64(secret) } },
  });
}

/**
 * Zoom for a tenant whose test does not talk to Zoom: a loopback port nothing listens on. NB: the
 * operator checks every tenant's credentials with Zoom in the background; with the default
 * https://zoom.us each check would be a DNS query leaving the machine.
 */
export const UNREACHABLE_ZOOM = "http://127.0.0.1:9";

export function zoomIntegration(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "ZoomIntegration",
    metadata: { name },
    spec: {
      domain: `${name}.example`,
      credentialsSecretRef: { name: `${name}-creds` },
      service: { replicas: 1 },
      zoom: { oauthBaseUrl: UNREACHABLE_ZOOM, apiBaseUrl: UNREACHABLE_ZOOM },
      ...spec,
    },
  };
}

export function ziApi(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = (namespace: string) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace });
  return {
    create: (namespace: string, body: object) => api.createNamespacedCustomObject({ ...ref(namespace), body }),
    get: (namespace: string, name: string) => api.getNamespacedCustomObject({ ...ref(namespace), name }) as Promise<ZiLike>,
    delete: (namespace: string, name: string) => api.deleteNamespacedCustomObject({ ...ref(namespace), name }),
    patch: (namespace: string, name: string, body: object) =>
      api.patchNamespacedCustomObject({ ...ref(namespace), name, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch)),
  };
}

export interface ZiLike {
  metadata: { name: string; generation?: number; finalizers?: string[]; uid?: string };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    redirectUrl?: string;
    allowListUrl?: string;
    requiredScopes?: string[];
    endpoint?: string;
    apiTokenSecretName?: string;
    connections?: unknown[];
  };
}

export function condition(zi: ZiLike, type: string) {
  return zi.status?.conditions?.find((c) => c.type === type);
}

// Read access to everything the reconciler looks at: full objects from label-selected informer
// caches (only what the operator owns), the Secrets it references but does not own on demand.
import type { KubernetesObject, ObjectCache, V1Deployment, V1Ingress, V1Secret } from "@kubernetes/client-node";
import type { SecretData } from "../runtime/referenced-secrets.ts";
import type { ViewFields } from "../runtime/slim.ts";

/** The child kinds the tenant chart renders, with their API paths. */
export const CHILD_KINDS = {
  ServiceAccount: { apiVersion: "v1", plural: "serviceaccounts" },
  Role: { apiVersion: "rbac.authorization.k8s.io/v1", plural: "roles" },
  RoleBinding: { apiVersion: "rbac.authorization.k8s.io/v1", plural: "rolebindings" },
  ConfigMap: { apiVersion: "v1", plural: "configmaps" },
  Deployment: { apiVersion: "apps/v1", plural: "deployments" },
  Service: { apiVersion: "v1", plural: "services" },
  Ingress: { apiVersion: "networking.k8s.io/v1", plural: "ingresses" },
  HTTPRoute: { apiVersion: "gateway.networking.k8s.io/v1", plural: "httproutes" },
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", plural: "networkpolicies" },
  PodDisruptionBudget: { apiVersion: "policy/v1", plural: "poddisruptionbudgets" },
  // NB: only the operator's own Secrets (tokens, api-token); the referenced ones: referencedSecret.
  Secret: { apiVersion: "v1", plural: "secrets" },
} as const;
export type ChildKind = keyof typeof CHILD_KINDS;

/** Children the operator watches carry this label (its watches are label-selected). */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_OPERATOR = "zoom-integration-operator";

/**
 * A child the operator never watches: one that does not carry its managed-by label. That is the
 * state ConfigMap, which the service rewrites with tenant traffic (charts/tenant UNWATCHED_LABELS);
 * its metadata is read when reconciling. The other ConfigMaps (the manifest) are watched.
 */
export const isUnwatched = (obj: KubernetesObject) => obj.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_OPERATOR;
/** Children whose API may be missing (the Gateway API CRDs): watched once discovery shows them (gateway-api.ts). */
export type OptionalKind = "HTTPRoute";
export type WatchedKind = Exclude<ChildKind, OptionalKind>;
export const WATCHED_KINDS = (Object.keys(CHILD_KINDS) as ChildKind[]).filter((k): k is WatchedKind => k !== "HTTPRoute");

/**
 * What the cache keeps of each watched child: a view (slim.ts childView: its identity and the fields
 * the status reads), or, for the operator's own Secrets (small, and their data is read), the whole
 * object. The drift comparison reads a viewed child whole when it changed (verified-children.ts).
 */
export const CHILD_VIEWS: Readonly<Record<WatchedKind | OptionalKind, readonly ViewFields[] | "whole">> = {
  ServiceAccount: [],
  Role: [],
  RoleBinding: [],
  ConfigMap: [],
  Deployment: ["spec.replicas", "status.availability"],
  Service: [],
  Ingress: ["status"],
  HTTPRoute: ["status"],
  NetworkPolicy: [],
  PodDisruptionBudget: [],
  Secret: "whole",
};

export interface Caches {
  readonly zoomIntegrations: ObjectCache<KubernetesObject>;
  readonly byKind: Readonly<Record<WatchedKind, ObjectCache<KubernetesObject>>> & {
    /** Absent while the API server does not serve HTTPRoutes (no Gateway API CRDs). */
    readonly HTTPRoute?: ObjectCache<KubernetesObject>;
  };
  /** A Secret the operator does not own, by name, read on demand; undefined when it does not exist. */
  readonly referencedSecret: (namespace: string, name: string) => Promise<SecretData | undefined>;
}

export function lookup(caches: Caches, kind: string, name: string, namespace: string): KubernetesObject | undefined {
  const cache = caches.byKind[kind as WatchedKind | OptionalKind];
  return cache?.get(name, namespace);
}

/** Secrets referenced by `names` (missing ones are absent from the answer). */
export async function referencedSecrets(c: Caches, namespace: string, names: readonly string[]): Promise<Map<string, SecretData>> {
  const found = new Map<string, SecretData>();
  for (const name of new Set(names)) {
    const secret = await c.referencedSecret(namespace, name);
    if (secret) found.set(name, secret);
  }
  return found;
}

/** One of the operator's own Secrets (tokens, api-token). */
export const ownedSecret = (c: Caches, name: string, ns: string) => c.byKind.Secret.get(name, ns) as V1Secret | undefined;
export const deployment = (c: Caches, name: string, ns: string) => c.byKind.Deployment.get(name, ns) as V1Deployment | undefined;
export const ingress = (c: Caches, name: string, ns: string) => c.byKind.Ingress.get(name, ns) as V1Ingress | undefined;

/** The HTTPRoute's live state; `served` is false while the cluster has no Gateway API. */
export function httpRoute(c: Caches, name: string, ns: string): { served: boolean; route: HttpRouteObject | undefined } {
  const cache = c.byKind.HTTPRoute;
  return { served: cache !== undefined, route: cache?.get(name, ns) as HttpRouteObject | undefined };
}

/** The parts of an HTTPRoute the operator reads: its generation and what each parent Gateway reported. */
export interface HttpRouteObject extends KubernetesObject {
  readonly status?: { readonly parents?: readonly RouteParentStatus[] };
}

export interface RouteParentStatus {
  readonly parentRef: { readonly name: string; readonly namespace?: string; readonly sectionName?: string; readonly kind?: string };
  readonly controllerName?: string;
  readonly conditions?: readonly {
    readonly type: string;
    readonly status: string;
    readonly reason?: string;
    readonly message?: string;
    readonly observedGeneration?: number;
  }[];
}

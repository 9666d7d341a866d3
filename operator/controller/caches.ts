// Read access to everything the reconciler looks at, served from informer caches.
import type { KubernetesObject, ObjectCache, V1Deployment, V1Ingress, V1Secret } from "@kubernetes/client-node";

/** The child kinds the tenant chart renders, with the API paths to watch them. */
export const CHILD_KINDS = {
  ServiceAccount: { apiVersion: "v1", plural: "serviceaccounts" },
  Role: { apiVersion: "rbac.authorization.k8s.io/v1", plural: "roles" },
  RoleBinding: { apiVersion: "rbac.authorization.k8s.io/v1", plural: "rolebindings" },
  ConfigMap: { apiVersion: "v1", plural: "configmaps" },
  Deployment: { apiVersion: "apps/v1", plural: "deployments" },
  Service: { apiVersion: "v1", plural: "services" },
  Ingress: { apiVersion: "networking.k8s.io/v1", plural: "ingresses" },
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", plural: "networkpolicies" },
  PodDisruptionBudget: { apiVersion: "policy/v1", plural: "poddisruptionbudgets" },
  // NB: Secrets are watched without a label selector (the credentials Secret is the user's).
  Secret: { apiVersion: "v1", plural: "secrets" },
} as const;
export type ChildKind = keyof typeof CHILD_KINDS;

export interface Caches {
  readonly zoomIntegrations: ObjectCache<KubernetesObject>;
  readonly byKind: Readonly<Record<ChildKind, ObjectCache<KubernetesObject>>>;
}

export function lookup(caches: Caches, kind: string, name: string, namespace: string): KubernetesObject | undefined {
  const cache = caches.byKind[kind as ChildKind];
  return cache?.get(name, namespace);
}

export const secret = (c: Caches, name: string, ns: string) => c.byKind.Secret.get(name, ns) as V1Secret | undefined;
export const deployment = (c: Caches, name: string, ns: string) => c.byKind.Deployment.get(name, ns) as V1Deployment | undefined;
export const ingress = (c: Caches, name: string, ns: string) => c.byKind.Ingress.get(name, ns) as V1Ingress | undefined;

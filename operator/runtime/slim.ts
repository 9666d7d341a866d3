// What an informer keeps of each object: what the reconciler reads, not what the API server sends.
// managedFields are most of a cached child (a Deployment's run to hundreds of small objects, one
// entry per field manager: the controller-manager's status entry, a mesh's, kubectl's); the
// reconciler reads only our own Apply entry (desired-state.ts), so the others are dropped. The
// kubectl last-applied annotation is a second copy of the object, read by nobody here.
import type { KubernetesObject, V1ManagedFieldsEntry } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../../common/api/constants.ts";
import { hashOf } from "./desired-state.ts";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** The managedFields entry the no-needless-writes comparison reads (desired-state.ts appliedFields). */
const isOurApply = (m: V1ManagedFieldsEntry) => m.manager === FIELD_MANAGER && m.operation === "Apply" && !m.subresource;

/**
 * `obj` without the managedFields entries of other managers (all of them with `keepOurs` false) and
 * without kubectl's last-applied annotation. Returns the same object when there is nothing to drop.
 */
export function slimmed<T extends KubernetesObject>(obj: T, keepOurs: boolean): T {
  const metadata = obj.metadata;
  if (!metadata) return obj;
  const managed = metadata.managedFields;
  const kept = keepOurs ? managed?.filter(isOurApply) : undefined;
  const annotations = metadata.annotations;
  const lastApplied = annotations !== undefined && LAST_APPLIED_ANNOTATION in annotations;
  if (kept?.length === managed?.length && !lastApplied) return obj;
  const { managedFields: _dropped, annotations: _a, ...rest } = metadata;
  const { [LAST_APPLIED_ANNOTATION]: _l, ...otherAnnotations } = annotations ?? {};
  return {
    ...obj,
    metadata: {
      ...rest,
      ...(annotations ? { annotations: otherAnnotations } : {}),
      ...(kept && kept.length > 0 ? { managedFields: kept } : {}),
    },
  };
}

/** A child's view: its content version comes with it (computed from the whole object when cached). */
export type ChildView = KubernetesObject & { readonly contentVersion?: string };

/**
 * A digest of what the drift comparison (desired-state.ts driftOf) can read of a child: everything
 * but its status, its resourceVersion and the managedFields of other managers (and the time of
 * ours). A change to the spec, the metadata or what we own changes it; the controller-manager's
 * status updates (a Deployment's replicas coming up) do not, so a child verified once is not read
 * again for them. Items of a list carry no apiVersion/kind: left out, the cache key fixes both.
 */
export function contentVersion(obj: KubernetesObject): string {
  const known = (obj as ChildView).contentVersion;
  if (known !== undefined) return known;
  const { apiVersion: _v, kind: _k, metadata, status: _s, ...body } = obj as KubernetesObject & { status?: unknown };
  const { resourceVersion: _r, managedFields, ...identity } = metadata ?? {};
  const ours = managedFields?.filter(isOurApply).map(({ time: _t, ...entry }) => entry);
  return hashOf({ metadata: identity, ours: ours ?? [], body });
}

/**
 * What a child's view keeps besides its identity: the fields the status is computed from.
 * "status.availability" is a Deployment's available replicas and its conditions' types and statuses
 * (status.ts serviceAvailable), not their messages and times.
 */
export type ViewFields = "spec.replicas" | "status" | "status.availability";

interface DeploymentStatus {
  readonly availableReplicas?: number;
  readonly conditions?: readonly { readonly type: string; readonly status: string }[];
}

function availability(status: DeploymentStatus): DeploymentStatus {
  return {
    ...(status.availableReplicas !== undefined ? { availableReplicas: status.availableReplicas } : {}),
    ...(status.conditions ? { conditions: status.conditions.map(({ type, status }) => ({ type, status })) } : {}),
  };
}

/**
 * A child's identity (name, namespace, resourceVersion, generation, its controller owner) and the
 * `fields` the status reads (a Deployment's replicas and availability, a route's status): a few
 * hundred bytes, whatever the object's size, and its content version. Whether the child still
 * matches the desired state is not decided from the view: verified-children.ts remembers at which
 * content version it did, and a child whose content changed since (its uid included) is read whole
 * once. NB: the controller owner stays: a child found gone on a relist is known only by its view,
 * and its owner is what gets enqueued. Nothing reads a view's uid (9,000 of them at 1,000 tenants).
 */
export function childView<T extends KubernetesObject>(obj: T, fields: readonly ViewFields[]): T & ChildView {
  const { name, namespace, resourceVersion, generation, ownerReferences } = obj.metadata ?? {};
  const owner = ownerReferences?.filter((r) => r.controller);
  const source = obj as { spec?: { replicas?: number }; status?: DeploymentStatus };
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name,
      namespace,
      resourceVersion,
      ...(generation !== undefined ? { generation } : {}),
      ...(owner && owner.length > 0 ? { ownerReferences: owner } : {}),
    },
    ...(fields.includes("spec.replicas") && source.spec?.replicas !== undefined ? { spec: { replicas: source.spec.replicas } } : {}),
    ...(fields.includes("status") && source.status !== undefined ? { status: source.status } : {}),
    ...(fields.includes("status.availability") && source.status !== undefined ? { status: availability(source.status) } : {}),
    contentVersion: contentVersion(obj),
  } as T & ChildView;
}

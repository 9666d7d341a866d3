// Every permission the operator holds, with the reason, written once: the install chart renders its
// ClusterRoles and Role from these tables and README.md lists them. Least privilege: a verb is here
// because operator/ calls it, or because RBAC escalation prevention demands it (see the NB).
import { CRD_NAME, GROUP, PLURAL } from "../../common/api/constants.ts";
import { SERVICE_DATA_VERBS, SERVICE_EVENT_VERBS } from "../tenant/tenant-chart.ts";

export interface PermissionRule {
  /** "" is the core group. */
  readonly apiGroup: string;
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  /** One line for README.md's table. */
  readonly why: string;
}

/** Leader election Lease name; the Deployment sets LEASE_NAME to it so the Role's resourceNames match. */
export const LEASE_NAME = "zoom-integration-operator";

// The tenant chart's children: watched through informers (list, watch; the cache keeps a view of
// each), read whole (get) when one changed, to compare it with the desired state, and written by
// server-side apply. NB: an apply that creates a missing object is authorized as "create" as well as
// "patch" (the API server refuses it otherwise; proven in test/integration/install.test.ts).
const OBSERVE_AND_APPLY = ["get", "list", "watch", "patch", "create"] as const;

/**
 * NB: RBAC escalation prevention: to create the tenant's Role (and bind it) the operator must itself
 * hold every permission that Role grants the service, in that namespace; so the rules below are the
 * union of what the operator calls and the tenant chart's SERVICE_*_VERBS. The `why` column names
 * the verbs held for that reason only.
 */
const union = (...lists: readonly (readonly string[])[]) => [...new Set(lists.flat())];

/** In every watched namespace (ClusterRole bound cluster-wide, or by a RoleBinding per namespace). */
export const TENANT_RULES: readonly PermissionRule[] = [
  {
    apiGroup: GROUP,
    resources: [PLURAL],
    verbs: ["list", "watch", "patch"],
    why: "watch ZoomIntegrations; add and remove its finalizer (merge patch)",
  },
  { apiGroup: GROUP, resources: [`${PLURAL}/status`], verbs: ["patch"], why: "write the recomputed status" },
  {
    apiGroup: "",
    resources: ["secrets"],
    verbs: union(["get", ...OBSERVE_AND_APPLY], SERVICE_DATA_VERBS),
    why: "list and watch its own Secrets (label-selected) and the metadata only of the others (a referenced name is the user's); get a referenced Secret's data when it changed, and the api-token Secret before generating one; apply the tokens and api-token Secrets; update: escalation prevention (the tenant Role grants it)",
  },
  {
    apiGroup: "",
    resources: ["configmaps"],
    // NB: the state ConfigMap is not watched (tenant traffic rewrites it; it carries another
    // managed-by label): only the manifest ConfigMaps are in the label-selected watch.
    verbs: union(OBSERVE_AND_APPLY, SERVICE_DATA_VERBS),
    why: "list and watch the manifest ConfigMaps (label-selected) and get one whole when it changed; get the state ConfigMap's metadata and apply it when missing or changed (it is not watched: tenant traffic rewrites it); update, and get, update and create of the idempotency shards: escalation prevention (the tenant Role grants them)",
  },
  {
    apiGroup: "",
    resources: ["serviceaccounts", "services"],
    verbs: OBSERVE_AND_APPLY,
    why: "apply (create or patch) the tenant's ServiceAccount and Service",
  },
  {
    apiGroup: "",
    resources: ["events"],
    verbs: union(["create"], SERVICE_EVENT_VERBS),
    why: "record condition transitions on the ZoomIntegration; patch: escalation prevention (the tenant Role grants it)",
  },
  { apiGroup: "apps", resources: ["deployments"], verbs: OBSERVE_AND_APPLY, why: "apply the service Deployment, read its availability" },
  {
    apiGroup: "networking.k8s.io",
    resources: ["ingresses"],
    verbs: [...OBSERVE_AND_APPLY, "delete"],
    why: "apply the Ingress (read its admission); delete it when an older ZoomIntegration holds the domain (DomainConflict) or the tenant switched to routing.gateway",
  },
  {
    // NB: HTTPRoutes only: the Gateways belong to the platform team, and the route's status says whether they accepted it.
    apiGroup: "gateway.networking.k8s.io",
    resources: ["httproutes"],
    verbs: [...OBSERVE_AND_APPLY, "delete"],
    why: "apply the HTTPRoute of routing.gateway (read whether its Gateways accepted it); delete it when the domain is held by an older ZoomIntegration or the tenant switched to routing.ingress",
  },
  { apiGroup: "networking.k8s.io", resources: ["networkpolicies"], verbs: OBSERVE_AND_APPLY, why: "apply the NetworkPolicy" },
  { apiGroup: "policy", resources: ["poddisruptionbudgets"], verbs: OBSERVE_AND_APPLY, why: "apply the PodDisruptionBudget" },
  {
    apiGroup: "rbac.authorization.k8s.io",
    resources: ["roles", "rolebindings"],
    verbs: OBSERVE_AND_APPLY,
    why: "apply the service's Role and RoleBinding",
  },
];

/** Cluster-scoped, always bound by a ClusterRoleBinding. */
export const CLUSTER_RULES: readonly PermissionRule[] = [
  {
    apiGroup: "apiextensions.k8s.io",
    resources: ["customresourcedefinitions"],
    resourceNames: [CRD_NAME],
    verbs: ["get"],
    why: "check at start-up that the ZoomIntegration CRD is installed (a clear fatal log instead of failing watches)",
  },
];

/** In the operator's own namespace only. */
export const LEADER_ELECTION_RULES: readonly PermissionRule[] = [
  {
    apiGroup: "coordination.k8s.io",
    resources: ["leases"],
    resourceNames: [LEASE_NAME],
    verbs: ["get", "update"],
    why: "renew and take over its leader-election Lease",
  },
  {
    apiGroup: "coordination.k8s.io",
    resources: ["leases"],
    verbs: ["create"],
    why: "create the Lease on first start (create cannot be limited by name)",
  },
];

/** The rules as a Kubernetes PolicyRule list. */
export function policyRules(rules: readonly PermissionRule[]) {
  return rules.map((r) => ({
    apiGroups: [r.apiGroup],
    resources: [...r.resources],
    ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
    verbs: [...r.verbs],
  }));
}

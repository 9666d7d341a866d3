// Pure: the Routed condition. Routed means a controller routes app.<domain>: an ingress controller
// published an address for the Ingress, or every parent Gateway accepted the HTTPRoute and resolved
// its backend. An object that merely exists routes nothing.
import type { V1Ingress } from "@kubernetes/client-node";
import { ConditionStatus, Reason } from "../../common/api/constants.ts";
import type { Condition } from "../../common/api/kube-schemas.ts";
import type { HttpRouteObject, RouteParentStatus } from "./caches.ts";

export type Verdict = Pick<Condition, "status" | "reason" | "message">;
const yes = (reason: string, message: string): Verdict => ({ status: ConditionStatus.True, reason, message });
const no = (reason: string, message: string): Verdict => ({ status: ConditionStatus.False, reason, message });

export interface ParentRef {
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly sectionName?: string | undefined;
}

/** What the reconciler saw of the route in this pass. */
export type RouteObservation =
  | { readonly mode: "ingress"; readonly ingress: V1Ingress | undefined }
  | {
      readonly mode: "gateway";
      /** False while the cluster has no Gateway API CRDs. */
      readonly served: boolean;
      readonly route: HttpRouteObject | undefined;
      readonly parentRefs: readonly ParentRef[];
    };

export function routed(o: RouteObservation, domain: string): Verdict {
  return o.mode === "ingress" ? ingressRouted(o.ingress, domain) : gatewayRouted(o, domain);
}

function ingressRouted(ingress: V1Ingress | undefined, domain: string): Verdict {
  if (!ingress) return no(Reason.IngressPending, "the Ingress does not exist yet");
  const name = ingress.metadata?.name;
  const addresses = (ingress.status?.loadBalancer?.ingress ?? []).map((a) => a.hostname ?? a.ip).filter(Boolean);
  if (addresses.length === 0) {
    return no(
      Reason.IngressPending,
      `no ingress controller has admitted Ingress ${name} yet (its status.loadBalancer is empty): check spec.routing.ingress.className`,
    );
  }
  return yes(Reason.IngressAdmitted, `Ingress ${name} routes the OAuth paths of app.${domain} (published at ${addresses.join(", ")})`);
}

const refName = (ref: ParentRef, ns: string) => `${ref.namespace ?? ns}/${ref.name}${ref.sectionName ? `#${ref.sectionName}` : ""}`;

/** Gateway API reasons are PascalCase by convention; anything else is not copied into our reason. */
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

function gatewayRouted(o: Extract<RouteObservation, { mode: "gateway" }>, domain: string): Verdict {
  if (!o.served) {
    return no(
      Reason.GatewayAPIUnavailable,
      "the cluster does not serve the Gateway API (gateway.networking.k8s.io/v1 HTTPRoute): install its CRDs and a Gateway controller, or use spec.routing.ingress",
    );
  }
  if (!o.route) return no(Reason.RoutePending, "the HTTPRoute does not exist yet");
  const ns = o.route.metadata?.namespace ?? "";
  const generation = o.route.metadata?.generation;
  for (const ref of o.parentRefs) {
    const parent = (o.route.status?.parents ?? []).find((p) => sameParent(p.parentRef, ref, ns));
    const refusal = parentRefusal(parent, generation);
    if (refusal === "pending") return no(Reason.RoutePending, `Gateway ${refName(ref, ns)} has not accepted the HTTPRoute yet`);
    if (refusal) {
      const reason = CONDITION_REASON.test(refusal.reason ?? "") ? (refusal.reason as string) : Reason.RouteNotAccepted;
      return no(reason, `Gateway ${refName(ref, ns)}: ${refusal.type}=${refusal.status}: ${refusal.message ?? ""}`.slice(0, 4000));
    }
  }
  const gateways = o.parentRefs.map((r) => refName(r, ns)).join(", ");
  return yes(Reason.RouteAccepted, `HTTPRoute ${o.route.metadata?.name} routes the OAuth paths of app.${domain} through ${gateways}`);
}

function sameParent(reported: RouteParentStatus["parentRef"], ref: ParentRef, ns: string): boolean {
  return (
    (reported.kind ?? "Gateway") === "Gateway" &&
    reported.name === ref.name &&
    (reported.namespace ?? ns) === (ref.namespace ?? ns) &&
    (reported.sectionName ?? "") === (ref.sectionName ?? "")
  );
}

type ParentCondition = NonNullable<RouteParentStatus["conditions"]>[number];

/**
 * "pending" when the Gateway has not reported on this generation of the route; the first of
 * Accepted and ResolvedRefs that is not True; undefined when both are.
 */
function parentRefusal(parent: RouteParentStatus | undefined, generation: number | undefined): ParentCondition | "pending" | undefined {
  if (!parent) return "pending";
  for (const type of ["Accepted", "ResolvedRefs"]) {
    const c = parent.conditions?.find((x) => x.type === type);
    // NB: a condition about an older generation says nothing about the route as it is now.
    if (!c || (generation !== undefined && c.observedGeneration !== undefined && c.observedGeneration < generation)) return "pending";
    if (c.status !== ConditionStatus.True) return c;
  }
  return undefined;
}

// The tenant's route children: one Ingress (routing.ingress) or one HTTPRoute (routing.gateway).
// Switching modes, or losing the domain to an older claim, removes the route that no longer belongs.
import type { KubernetesObject, V1Ingress } from "@kubernetes/client-node";
import type { ZoomIntegration } from "../../common/api/zoom-integration.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { type Caches, type HttpRouteObject, httpRoute, ingress } from "./caches.ts";
import type { Logger } from "pino";
import type { KubeWriter } from "./kube-writer.ts";
import type { RouteObservation } from "./routed.ts";

export interface LiveRoutes {
  readonly ingress: V1Ingress | undefined;
  readonly httpRoute: HttpRouteObject | undefined;
  /** False while the cluster does not serve HTTPRoutes. */
  readonly served: boolean;
}

export function liveRoutes(caches: Caches, zi: ZoomIntegration): LiveRoutes {
  const ns = zi.metadata.namespace ?? "";
  const names = tenantNames(zi.metadata.name ?? "");
  const { served, route } = httpRoute(caches, names.httpRoute, ns);
  return { ingress: ingress(caches, names.ingress, ns), httpRoute: route, served };
}

/** The route children that must go: the other mode's, or both while `holder` holds the domain. */
export function staleRoutes(zi: ZoomIntegration, live: LiveRoutes, holder: string | undefined): KubernetesObject[] {
  const gateway = zi.spec.routing.gateway !== undefined;
  return [
    ...(live.ingress && (holder || gateway) ? [{ ...live.ingress, kind: "Ingress" }] : []),
    ...(live.httpRoute && (holder || !gateway) ? [{ ...live.httpRoute, kind: "HTTPRoute" }] : []),
  ];
}

export async function removeStaleRoutes(
  deps: { readonly log: Logger; readonly writer: Pick<KubeWriter, "remove"> },
  zi: ZoomIntegration,
  live: LiveRoutes,
  holder: string | undefined,
) {
  for (const obj of staleRoutes(zi, live, holder)) {
    const key = `${zi.metadata.namespace}/${zi.metadata.name}`;
    const why = holder ? "another ZoomIntegration holds the domain" : "the routing mode changed";
    deps.log.info({ key, kind: obj.kind, holder }, `removing a route: ${why}`);
    await deps.writer.remove(obj);
  }
}

export function routeObservation(zi: ZoomIntegration, live: LiveRoutes): RouteObservation {
  const gateway = zi.spec.routing.gateway;
  if (!gateway) return { mode: "ingress", ingress: live.ingress };
  return { mode: "gateway", served: live.served, route: live.httpRoute, parentRefs: gateway.parentRefs };
}

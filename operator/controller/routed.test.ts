import { describe, expect, it } from "vitest";
import type { HttpRouteObject, RouteParentStatus } from "./caches.ts";
import { type ParentRef, type RouteObservation, routed } from "./routed.ts";

const ingress = (addresses: { ip?: string; hostname?: string }[] | undefined) => ({
  metadata: { name: "acme-zoom" },
  ...(addresses ? { status: { loadBalancer: { ingress: addresses } } } : {}),
});
const condition = (type: string, status: string, reason = type, message = "", observedGeneration = 2) => ({
  type,
  status,
  reason,
  message,
  observedGeneration,
});
const parent = (name: string, conditions: RouteParentStatus["conditions"], extra: Partial<RouteParentStatus["parentRef"]> = {}) => ({
  parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name, ...extra },
  controllerName: "traefik.io/gateway-controller",
  conditions,
});
const route = (parents: RouteParentStatus[] | undefined): HttpRouteObject => ({
  metadata: { name: "acme-zoom", namespace: "tenant", generation: 2 },
  ...(parents ? { status: { parents } } : {}),
});
const accepted = [condition("Accepted", "True"), condition("ResolvedRefs", "True")];
const gateway = (r: HttpRouteObject | undefined, parentRefs: ParentRef[] = [{ name: "edge" }], served = true): RouteObservation => ({
  mode: "gateway",
  served,
  route: r,
  parentRefs,
});

describe("routed", () => {
  it.each<[string, RouteObservation, string, string, RegExp]>([
    ["an Ingress that does not exist yet is pending", { mode: "ingress", ingress: undefined }, "False", "IngressPending", /does not exist/],
    [
      "an Ingress no controller admitted (empty status.loadBalancer) is not routed",
      { mode: "ingress", ingress: ingress(undefined) },
      "False",
      "IngressPending",
      /no ingress controller has admitted Ingress acme-zoom/,
    ],
    [
      "an Ingress with a published address is routed, and the message names it",
      { mode: "ingress", ingress: ingress([{ ip: "127.0.0.1" }]) },
      "True",
      "IngressAdmitted",
      /published at 127.0.0.1/,
    ],
    [
      "gateway mode on a cluster without the Gateway API says so",
      gateway(undefined, [{ name: "edge" }], false),
      "False",
      "GatewayAPIUnavailable",
      /install its CRDs/,
    ],
    ["an HTTPRoute that does not exist yet is pending", gateway(undefined), "False", "RoutePending", /does not exist/],
    ["an HTTPRoute no Gateway reported on is pending", gateway(route(undefined)), "False", "RoutePending", /tenant\/edge has not accepted/],
    [
      "an HTTPRoute every parent accepted and resolved is routed",
      gateway(route([parent("edge", accepted)])),
      "True",
      "RouteAccepted",
      /tenant\/edge/,
    ],
    [
      "a refusing parent's reason and message are copied",
      gateway(route([parent("edge", [condition("Accepted", "False", "NotAllowedByListeners", "no listener allows namespace tenant")])])),
      "False",
      "NotAllowedByListeners",
      /Gateway tenant\/edge: Accepted=False: no listener allows namespace tenant/,
    ],
    [
      "an accepted route whose backend did not resolve is not routed",
      gateway(
        route([parent("edge", [condition("Accepted", "True"), condition("ResolvedRefs", "False", "BackendNotFound", "service missing")])]),
      ),
      "False",
      "BackendNotFound",
      /ResolvedRefs=False: service missing/,
    ],
    [
      "a reason that is not a condition reason becomes RouteNotAccepted",
      gateway(route([parent("edge", [condition("Accepted", "False", "not a reason!", "x")])])),
      "False",
      "RouteNotAccepted",
      /Accepted=False: x/,
    ],
    [
      "a parent's verdict about an older generation of the route is pending",
      gateway(
        route([
          parent("edge", [condition("Accepted", "True", "Accepted", "", 1), condition("ResolvedRefs", "True", "ResolvedRefs", "", 1)]),
        ]),
      ),
      "False",
      "RoutePending",
      /has not accepted/,
    ],
    [
      "every parentRef must accept: one missing parent keeps it pending",
      gateway(route([parent("edge", accepted)]), [{ name: "edge" }, { name: "other", namespace: "gw" }]),
      "False",
      "RoutePending",
      /gw\/other/,
    ],
    [
      "parents are matched by namespace and sectionName too",
      gateway(route([parent("edge", accepted, { namespace: "gw", sectionName: "https" })]), [
        { name: "edge", namespace: "gw", sectionName: "web" },
      ]),
      "False",
      "RoutePending",
      /gw\/edge#web/,
    ],
    [
      "a parent in the route's namespace matches a parentRef without namespace",
      gateway(route([parent("edge", accepted, { namespace: "tenant", sectionName: "https" })]), [{ name: "edge", sectionName: "https" }]),
      "True",
      "RouteAccepted",
      /tenant\/edge#https/,
    ],
  ])("%s", (_name, observation, status, reason, message) => {
    const verdict = routed(observation, "acme.example");
    expect(verdict).toMatchObject({ status, reason });
    expect(verdict.message).toMatch(message);
  });
});

// The tenant's route for app.<domain>: an Ingress (routing.ingress) or a Gateway API HTTPRoute
// (routing.gateway), never both. Either routes only the service's public OAuth and webhook paths.
import { ApiObject } from "cdk8s";
import * as kplus from "cdk8s-plus-27";
import type { Chart } from "cdk8s";
import { appHost, PUBLIC_PATH_PREFIX, PUBLIC_PORT, REDIRECT_PATH, type TenantNames } from "../../common/tenant/names.ts";
import type { GatewayRoutingProps, ResolvedTenantProps } from "./props.ts";

export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const HTTP_ROUTE_API_VERSION = `${GATEWAY_API_GROUP}/v1`;

export function addIngress(chart: Chart, props: ResolvedTenantProps, names: TenantNames, service: kplus.Service): void {
  const host = appHost(props.domain);
  const { className, tlsSecretName, annotations } = props.ingress;
  const ingress = new kplus.Ingress(chart, "ingress", {
    metadata: { name: names.ingress, annotations: { ...annotations } },
    className,
  });
  const backend = kplus.IngressBackend.fromService(service, { port: PUBLIC_PORT });
  ingress.addHostRule(host, REDIRECT_PATH, backend, kplus.HttpIngressPathType.EXACT);
  ingress.addHostRule(host, PUBLIC_PATH_PREFIX, backend, kplus.HttpIngressPathType.PREFIX);
  if (tlsSecretName !== undefined) {
    const secret = kplus.Secret.fromSecretName(chart, "tls-secret", tlsSecretName);
    ingress.addTls([{ hosts: [host], secret }]);
  }
}

/**
 * The HTTPRoute: the same two paths as the Ingress. TLS and listeners belong to the Gateway.
 * NB: fields the Gateway API CRD would default (parentRef group and kind, backendRef kind) are
 * written out, so the applied object reads the same as the live one.
 */
export function addHttpRoute(chart: Chart, props: ResolvedTenantProps, names: TenantNames, gateway: GatewayRoutingProps): void {
  new ApiObject(chart, "http-route", {
    apiVersion: HTTP_ROUTE_API_VERSION,
    kind: "HTTPRoute",
    metadata: { name: names.httpRoute },
    spec: {
      parentRefs: gateway.parentRefs.map((ref) => ({ group: GATEWAY_API_GROUP, kind: "Gateway", ...ref })),
      hostnames: [appHost(props.domain)],
      rules: [
        {
          matches: [{ path: { type: "Exact", value: REDIRECT_PATH } }, { path: { type: "PathPrefix", value: PUBLIC_PATH_PREFIX } }],
          backendRefs: [{ group: "", kind: "Service", name: names.service, port: PUBLIC_PORT }],
        },
      ],
    },
  });
}

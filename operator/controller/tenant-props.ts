// Maps a parsed ZoomIntegration (plus what the operator computed) onto the tenant chart's props.
import { API_VERSION, KIND } from "../../common/api/constants.ts";
import { requiredScopes, type ZoomIntegration } from "../../common/api/zoom-integration.ts";
import type { ApiTokenProps, TenantProps } from "../../charts/tenant/props.ts";
import type { ResolvedSpec } from "./credentials.ts";

export interface TenantInputs {
  readonly zi: ZoomIntegration & { readonly spec: ResolvedSpec };
  readonly credentialsChecksum: string;
  readonly apiToken: ApiTokenProps;
  readonly defaultImage: string;
  readonly metricsScrapers?: TenantProps["metricsScrapers"] | undefined;
}

type Quantity = string | number | undefined;
const str = (v: Quantity) => (v === undefined ? undefined : String(v));

/** Quantities may be written as numbers (int-or-string); the chart takes strings. */
function resources(r: ZoomIntegration["spec"]["service"]["resources"]): TenantProps["resources"] {
  return {
    requests: { cpu: str(r.requests.cpu), memory: str(r.requests.memory) },
    limits: { cpu: str(r.limits.cpu), memory: str(r.limits.memory) },
  };
}

export function tenantProps({ zi, credentialsChecksum, apiToken, defaultImage, metricsScrapers }: TenantInputs): TenantProps {
  const { spec, metadata } = zi;
  const name = metadata.name ?? "";
  const service = spec.service;
  return {
    name,
    namespace: metadata.namespace ?? "",
    owner: { apiVersion: API_VERSION as TenantProps["owner"]["apiVersion"], kind: KIND, name, uid: metadata.uid ?? "" },
    domain: spec.domain,
    credentialsSecret: spec.credentialsSecretRef,
    ...(spec.webhookSecretRef ? { webhookSecret: spec.webhookSecretRef } : {}),
    scopes: requiredScopes(spec),
    afterConnectPath: spec.afterConnectPath,
    clientsPodSelector: spec.clients.podSelector,
    ...(metricsScrapers ? { metricsScrapers } : {}),
    ...(spec.routing.gateway ? { gateway: spec.routing.gateway } : { ingress: spec.routing.ingress ?? {} }),
    replicas: service.replicas,
    image: service.image ?? defaultImage,
    resources: resources(service.resources),
    ...(service.podLabels ? { podLabels: service.podLabels } : {}),
    zoom: spec.zoom,
    credentialsChecksum,
    apiToken,
  };
}

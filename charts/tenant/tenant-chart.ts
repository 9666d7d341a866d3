// The children of one ZoomIntegration, as a cdk8s Chart. Pure: no I/O, everything comes from props.
// cdk8s-plus builds what it models well (ServiceAccount, Role, RoleBinding, Service, Ingress); the
// raw k8s constructs build what plus would distort (see pod-template.ts and the NB comments below).
import { ApiObject, Chart, JsonPatch } from "cdk8s";
import * as kplus from "cdk8s-plus-27";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { API_TOKEN_ROTATION_ANNOTATION, ApiTokenKey, STATE_KEY_ROTATION_ANNOTATION } from "../../common/tenant/contract.ts";
import { eventShardNames } from "../../common/tenant/event-shards.ts";
import { idempotencyShardNames } from "../../common/tenant/idempotency-shards.ts";
import {
  API_PORT,
  METRICS_PORT,
  API_PORT_NAME,
  PUBLIC_PORT,
  PUBLIC_PORT_NAME,
  selectorLabels,
  type TenantNames,
  tenantLabels,
  tenantNames,
} from "../../common/tenant/names.ts";
import { podTemplate, ServiceDeployment } from "./pod-template.ts";
import { type MetricsScrapersProps, type ResolvedTenantProps, resolveTenantProps, type TenantProps } from "./props.ts";
import { addHttpRoute, addIngress } from "./routes.ts";
import { validateTenantProps } from "./validate-props.ts";

/** Verbs the service needs on the tokens Secret and the state ConfigMap: read, write, watch. */
export const SERVICE_DATA_VERBS: readonly string[] = ["get", "update", "patch", "list", "watch"];
/**
 * Labels that keep an object out of the operator's label-selected watches (its managed-by selector)
 * while `kubectl get -l bookingops.dev/zoom-integration=<name>` still finds it: for the state
 * ConfigMap, whose data the service manages and rewrites with tenant traffic (up to ~900 kB a time).
 */
export const UNWATCHED_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/managed-by": "zoom-integration-service" };
/**
 * The idempotency shards (common/tenant/idempotency-shards.ts): read and written by name only; the
 * service creates each on its first record. NB: RBAC cannot restrict create by name, so the service
 * may create any ConfigMap in its namespace, though it can then neither read nor change one it was
 * not granted by name: the price of shards created on demand rather than 512 empty ones per tenant.
 */
export const SERVICE_SHARD_VERBS: readonly string[] = ["get", "update"];
/** Events cannot be restricted by name; the service may only create and patch (aggregate) them. */
export const SERVICE_EVENT_VERBS: readonly string[] = ["create", "patch"];

export class TenantChart extends Chart {
  readonly names: TenantNames;

  /** Validates `props` eagerly: throws `InvalidTenantPropsError` naming every bad field. */
  constructor(scope: Construct, id: string, props: TenantProps) {
    const resolved = resolveTenantProps(validateTenantProps(props));
    super(scope, id, { namespace: resolved.namespace, disableResourceNameHashes: true });
    this.names = tenantNames(resolved.name);
    this.addIdentity(this.names);
    this.addData(resolved, this.names);
    this.addNetworkPolicy(resolved, this.names);
    const service = this.addService(resolved, this.names);
    this.addWorkload(resolved, this.names);
    if (resolved.gateway) addHttpRoute(this, resolved, this.names, resolved.gateway);
    else addIngress(this, resolved, this.names, service);
    this.adoptAll(resolved);
  }

  private addIdentity(names: TenantNames): void {
    // NB: plus sets automountServiceAccountToken: false here; the pod template turns it on for our pods only.
    const account = new kplus.ServiceAccount(this, "service-account", { metadata: { name: names.serviceAccount } });
    const core = (resourceType: string, resourceName?: string): kplus.IApiResource => ({ apiGroup: "", resourceType, resourceName });
    const role = new kplus.Role(this, "role", { metadata: { name: names.role } });
    role.allow([...SERVICE_DATA_VERBS], core("secrets", names.tokensSecret));
    role.allow([...SERVICE_DATA_VERBS], core("configmaps", names.stateConfigMap));
    role.allow(["create"], core("configmaps"));
    // NB: plus writes one rule per resource name: the 512 shards go in one rule instead.
    const shards = { apiGroups: [""], resources: ["configmaps"], resourceNames: idempotencyShardNames(names.stateConfigMap) };
    ApiObject.of(role).addJsonPatch(JsonPatch.add("/rules/-", { ...shards, verbs: [...SERVICE_SHARD_VERBS] }));
    const eventShards = { apiGroups: [""], resources: ["configmaps"], resourceNames: eventShardNames(names.stateConfigMap) };
    ApiObject.of(role).addJsonPatch(JsonPatch.add("/rules/-", { ...eventShards, verbs: [...SERVICE_SHARD_VERBS] }));
    role.allow([...SERVICE_EVENT_VERBS], core("events"));
    const binding = new kplus.RoleBinding(this, "role-binding", { metadata: { name: names.roleBinding }, role });
    binding.addSubjects(account);
  }

  private addData(props: ResolvedTenantProps, names: TenantNames): void {
    // NB: no data field at all, so the operator's field manager never owns (or prunes) the service's data.
    new k8s.KubeSecret(this, "tokens-secret", { metadata: { name: names.tokensSecret }, type: "Opaque" });
    // NB: data, not stringData: stringData is write-only, so server-side apply would see a change every time.
    // NB: the previous-* keys are always present (empty when unused): the pod mounts them by key.
    const { token, stateKey, previous, rotation, previousStateKey, stateKeyRotation } = props.apiToken;
    const annotations = {
      ...(rotation ? { [API_TOKEN_ROTATION_ANNOTATION]: rotation } : {}),
      ...(stateKeyRotation ? { [STATE_KEY_ROTATION_ANNOTATION]: stateKeyRotation } : {}),
    };
    new k8s.KubeSecret(this, "api-token-secret", {
      metadata: { name: names.apiTokenSecret, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      type: "Opaque",
      data: {
        [ApiTokenKey.Token]: base64(token),
        [ApiTokenKey.StateKey]: base64(stateKey),
        [ApiTokenKey.PreviousToken]: base64(previous?.token ?? ""),
        [ApiTokenKey.PreviousTokenExpiresAt]: base64(previous?.expiresAt ?? ""),
        [ApiTokenKey.PreviousStateKey]: base64(previousStateKey?.key ?? ""),
        [ApiTokenKey.PreviousStateKeyExpiresAt]: base64(previousStateKey?.expiresAt ?? ""),
      },
    });
    // NB: the service rewrites this one on every booking: see UNWATCHED_LABELS.
    new k8s.KubeConfigMap(this, "state-config-map", { metadata: { name: names.stateConfigMap, labels: { ...UNWATCHED_LABELS } } });
  }

  private addNetworkPolicy(props: ResolvedTenantProps, names: TenantNames): void {
    const client: k8s.NetworkPolicyPeer = {
      podSelector: labelSelector(props.clientsPodSelector),
      namespaceSelector: props.clientsNamespaceSelector && labelSelector(props.clientsNamespaceSelector),
    };
    const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: "TCP", port: k8s.IntOrString.fromNumber(port) });
    new k8s.KubeNetworkPolicy(this, "network-policy", {
      metadata: { name: names.networkPolicy },
      spec: {
        podSelector: { matchLabels: selectorLabels(props.name) },
        policyTypes: ["Ingress"],
        // NB: a rule without `from` admits every source (the ingress controller, wherever it runs);
        // an ipBlock of 0.0.0.0/0 would not reliably include pod IPs.
        ingress: [{ ports: [tcp(PUBLIC_PORT)] }, { from: [client], ports: [tcp(API_PORT)] }, ...metricsRule(props.metricsScrapers)],
      },
    });
  }

  private addService(props: ResolvedTenantProps, names: TenantNames): kplus.Service {
    const service = new kplus.Service(this, "service", {
      metadata: { name: names.service },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [
        { name: PUBLIC_PORT_NAME, port: PUBLIC_PORT, targetPort: PUBLIC_PORT, protocol: kplus.Protocol.TCP },
        { name: API_PORT_NAME, port: API_PORT, targetPort: API_PORT, protocol: kplus.Protocol.TCP },
      ],
    });
    for (const [key, value] of Object.entries(selectorLabels(props.name))) service.selectLabel(key, value);
    // NB: plus renders `externalIPs: []`; applied, it would make the operator own an empty list.
    ApiObject.of(service).addJsonPatch(JsonPatch.remove("/spec/externalIPs"));
    return service;
  }

  private addWorkload(props: ResolvedTenantProps, names: TenantNames): void {
    const matchLabels = selectorLabels(props.name);
    new ServiceDeployment(this, "deployment", {
      metadata: { name: names.deployment },
      spec: {
        // NB: always set: an absent field would be defaulted by the API server and then fought over.
        replicas: props.replicas,
        selector: { matchLabels },
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: podTemplate(props, names),
      },
    });
    new k8s.KubePodDisruptionBudget(this, "pod-disruption-budget", {
      metadata: { name: names.podDisruptionBudget },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels } },
    });
  }

  /** Labels and a controller owner reference on every object, whichever construct made it. */
  private adoptAll(props: ResolvedTenantProps): void {
    const labels = tenantLabels(props.name);
    for (const object of this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      for (const [key, value] of Object.entries(labels)) {
        if (object.metadata.getLabel(key) === undefined) object.metadata.addLabel(key, value);
      }
      object.metadata.addOwnerReference({ ...props.owner, controller: true, blockOwnerDeletion: true });
    }
  }
}

function labelSelector(selector: ResolvedTenantProps["clientsPodSelector"]): k8s.LabelSelector {
  return {
    matchLabels: selector.matchLabels && { ...selector.matchLabels },
    matchExpressions: selector.matchExpressions?.map((e) => ({ key: e.key, operator: e.operator, values: e.values && [...e.values] })),
  };
}

function base64(value: string): string {
  return Buffer.from(value, "utf8").toString("base64");
}

/** The metrics port, opened to the configured scrapers only; closed (no rule) when none are. */
function metricsRule(scrapers: MetricsScrapersProps | undefined): k8s.NetworkPolicyIngressRule[] {
  if (!scrapers) return [];
  const peer: k8s.NetworkPolicyPeer = {
    podSelector: labelSelector(scrapers.podSelector ?? {}),
    ...(scrapers.namespaceSelector ? { namespaceSelector: labelSelector(scrapers.namespaceSelector) } : {}),
  };
  return [{ from: [peer], ports: [{ protocol: "TCP", port: k8s.IntOrString.fromNumber(METRICS_PORT) }] }];
}

// Inputs of the tenant chart. Decoupled from the CRD types on purpose: the operator maps a parsed
// ZoomIntegration (plus what it computed: checksum, api token) onto these props.

/** The ZoomIntegration that owns every child (controller owner reference). */
export interface TenantOwner {
  readonly apiVersion: "bookingops.dev/v1alpha1";
  readonly kind: "ZoomIntegration";
  /** Must equal `TenantProps.name`. */
  readonly name: string;
  readonly uid: string;
}

/** The platform team's Secret with the Zoom OAuth client. */
export interface CredentialsSecretProps {
  readonly name: string;
  /** @default "clientId" */
  readonly clientIdKey?: string;
  /** @default "clientSecret" */
  readonly clientSecretKey?: string;
}

/** The Secret with the Zoom app's webhook Secret Token. */
export interface WebhookSecretProps {
  readonly name: string;
  /** @default "secretToken" */
  readonly key?: string;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values?: readonly string[];
}

/** A NetworkPolicy peer: pods matching `podSelector` (every pod when absent) in namespaces matching `namespaceSelector` (the tenant's own when absent). */
export interface MetricsScrapersProps {
  readonly namespaceSelector?: LabelSelectorProps;
  readonly podSelector?: LabelSelectorProps;
}

/** A Kubernetes label selector; empty selects everything. */
export interface LabelSelectorProps {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface IngressProps {
  /** @default the cluster's default IngressClass (no ingressClassName) */
  readonly className?: string;
  /** @default no TLS section: TLS is terminated in front of the Ingress */
  readonly tlsSecretName?: string;
  /** @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A Gateway the HTTPRoute attaches to. */
export interface GatewayParentProps {
  readonly name: string;
  /** @default the tenant's namespace */
  readonly namespace?: string;
  /** @default every listener of the Gateway that allows the route */
  readonly sectionName?: string;
}

/** Routing through the Gateway API: an HTTPRoute instead of an Ingress. */
export interface GatewayRoutingProps {
  /** At least one. */
  readonly parentRefs: readonly GatewayParentProps[];
}

export interface ResourceProps {
  /** @default { cpu: "25m", memory: "64Mi" } */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /** @default { memory: "256Mi" } (no CPU limit: throttled rather than starved) */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

export interface ZoomEndpointsProps {
  /** @default "https://zoom.us" */
  readonly oauthBaseUrl?: string;
  /** @default "https://api.zoom.us" */
  readonly apiBaseUrl?: string;
}

/** Values the operator generated once and keeps in the api-token Secret; the chart only renders them. */
export interface ApiTokenProps {
  /** Bearer token the booking app sends to the internal API. */
  readonly token: string;
  /** Key the service uses to encrypt and sign OAuth state. */
  readonly stateKey: string;
  /** The state key a rotation replaced: opens (never seals) values until `expiresAt` (RFC 3339). Default: none. */
  readonly previousStateKey?: { readonly key: string; readonly expiresAt: string } | undefined;
  /** The state-key rotation request (annotation value) the state key answers; recorded on the Secret. Default: none. */
  readonly stateKeyRotation?: string | undefined;
  /** The token a rotation replaced, accepted until `expiresAt` (RFC 3339). Default: none. */
  readonly previous?: { readonly token: string; readonly expiresAt: string } | undefined;
  /** The rotation request (annotation value) the token answers; recorded on the Secret. Default: none. */
  readonly rotation?: string | undefined;
}

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";

export interface TenantProps {
  /** The ZoomIntegration's name; children are named `<name>-zoom...`. */
  readonly name: string;
  readonly namespace: string;
  readonly owner: TenantOwner;
  /** The booking app is served at `https://app.<domain>`. */
  readonly domain: string;
  readonly credentialsSecret: CredentialsSecretProps;
  /** @default none: the service answers no webhooks */
  readonly webhookSecret?: WebhookSecretProps;
  /** OAuth scopes the grant must have (no default here: the API defines them). */
  readonly scopes: readonly string[];
  /** @default "/organization/integration/zoom" */
  readonly afterConnectPath?: string;
  /** Pods that may call the internal API port. @default {} (every pod of the namespace) */
  readonly clientsPodSelector?: LabelSelectorProps;
  /** Namespaces the clients may run in. @default none: the ZoomIntegration's namespace only */
  readonly clientsNamespaceSelector?: LabelSelectorProps;
  /**
   * Who may scrape the metrics port (the operator's METRICS_SCRAPERS, set by the install bundle).
   * @default none: the metrics port is closed
   */
  readonly metricsScrapers?: MetricsScrapersProps;
  /** Routed by an Ingress (the default) when `gateway` is absent. @default {} */
  readonly ingress?: IngressProps;
  /** Routed by an HTTPRoute attached to these Gateways instead of an Ingress. @default none */
  readonly gateway?: GatewayRoutingProps;
  /** @default 2 */
  readonly replicas?: number;
  readonly image: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** @default requests 25m CPU / 64Mi memory, limit 256Mi memory */
  readonly resources?: ResourceProps;
  /** Extra pod labels; the selector labels always win. @default {} */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** @default Zoom itself */
  readonly zoom?: ZoomEndpointsProps;
  /** Checksum of the credentials Secret's data; put on the pod template so a rotation rolls the pods. */
  readonly credentialsChecksum: string;
  readonly apiToken: ApiTokenProps;
}

export const TENANT_DEFAULTS = {
  clientIdKey: "clientId",
  clientSecretKey: "clientSecret",
  webhookSecretKey: "secretToken",
  afterConnectPath: "/organization/integration/zoom",
  replicas: 2,
  imagePullPolicy: "IfNotPresent",
  requests: { cpu: "25m", memory: "64Mi" },
  limits: { memory: "256Mi" },
  oauthBaseUrl: "https://zoom.us",
  apiBaseUrl: "https://api.zoom.us",
} as const;

/** TenantProps with every default applied: what the chart reads. */
export interface ResolvedTenantProps {
  readonly name: string;
  readonly namespace: string;
  readonly owner: TenantOwner;
  readonly domain: string;
  readonly credentialsSecret: Required<CredentialsSecretProps>;
  readonly webhookSecret: Required<WebhookSecretProps> | undefined;
  readonly scopes: readonly string[];
  readonly afterConnectPath: string;
  readonly clientsPodSelector: LabelSelectorProps;
  readonly clientsNamespaceSelector: LabelSelectorProps | undefined;
  readonly metricsScrapers: MetricsScrapersProps | undefined;
  readonly ingress: IngressProps & { readonly annotations: Readonly<Record<string, string>> };
  readonly gateway: GatewayRoutingProps | undefined;
  readonly replicas: number;
  readonly image: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly resources: {
    readonly requests: { readonly cpu?: string; readonly memory?: string };
    readonly limits: { readonly cpu?: string; readonly memory?: string };
  };
  readonly zoom: Required<ZoomEndpointsProps>;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly credentialsChecksum: string;
  readonly apiToken: ApiTokenProps;
}

/** Applies the documented defaults. Does not validate: see `validateTenantProps`. */
export function resolveTenantProps(props: TenantProps): ResolvedTenantProps {
  const d = TENANT_DEFAULTS;
  const webhook = props.webhookSecret;
  const { requests, limits } = props.resources ?? {};
  return {
    ...props,
    credentialsSecret: {
      name: props.credentialsSecret.name,
      clientIdKey: props.credentialsSecret.clientIdKey ?? d.clientIdKey,
      clientSecretKey: props.credentialsSecret.clientSecretKey ?? d.clientSecretKey,
    },
    webhookSecret: webhook && { name: webhook.name, key: webhook.key ?? d.webhookSecretKey },
    afterConnectPath: props.afterConnectPath ?? d.afterConnectPath,
    clientsPodSelector: props.clientsPodSelector ?? {},
    clientsNamespaceSelector: props.clientsNamespaceSelector,
    metricsScrapers: props.metricsScrapers,
    ingress: { ...props.ingress, annotations: props.ingress?.annotations ?? {} },
    gateway: props.gateway,
    podLabels: props.podLabels ?? {},
    replicas: props.replicas ?? d.replicas,
    imagePullPolicy: props.imagePullPolicy ?? d.imagePullPolicy,
    // NB: defaults apply per field, so setting only a CPU request keeps the memory request.
    resources: {
      requests: compact({ cpu: requests?.cpu ?? d.requests.cpu, memory: requests?.memory ?? d.requests.memory }),
      limits: compact({ cpu: limits?.cpu, memory: limits?.memory ?? d.limits.memory }),
    },
    zoom: {
      oauthBaseUrl: props.zoom?.oauthBaseUrl ?? d.oauthBaseUrl,
      apiBaseUrl: props.zoom?.apiBaseUrl ?? d.apiBaseUrl,
    },
  };
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

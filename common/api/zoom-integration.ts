// The ZoomIntegration API (bookingops.dev/v1alpha1), written once. The CRD and docs/api.md are
// generated from these schemas (npm run generate); the operator parses what it reads with them
// again, so a rule the API server enforces is also enforced in TypeScript.
import { z } from "zod";
import { webhookUrl } from "../tenant/manifest.ts";
import { APP_HOST_PREFIX, appHost, REDIRECT_PATH } from "../tenant/names.ts";
import { ZOOM_EVENT_TYPES } from "../tenant/zoom-event-types.ts";
import { API_VERSION, DeletionPolicy, KIND } from "./constants.ts";
import { type CheckedRule, objectName, secretKey, withRule, withRules } from "./schema-kit.ts";
import { Clients, Service, Zoom } from "./service-spec.ts";
import { ZoomIntegrationStatus } from "./status.ts";
import { ScopeList } from "./zoom-scopes.ts";

export { Condition, LabelSelector } from "./kube-schemas.ts";
export { ZoomIntegrationStatus } from "./status.ts";
export { DEFAULT_SCOPES } from "./zoom-scopes.ts";

// Lowercase DNS name with at least two labels whose last label starts with a letter: that also
// rules out IPv4 literals, and keeps scheme, port, path, uppercase and trailing dots out.
// NB: a CEL rule rather than a schema pattern, so the API server's message explains the format
// instead of printing the regex. `[.]` keeps it free of escapes in both CEL and JavaScript.
const DOMAIN = "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?[.])+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";
// `app.` + domain must still fit the 253 characters of a DNS name (the Ingress host).
const DOMAIN_MAX = 253 - APP_HOST_PREFIX.length;

const Domain = withRule(
  z.string().min(1).max(DOMAIN_MAX),
  {
    rule: `self.matches('${DOMAIN}')`,
    message: "must be a lowercase DNS name such as acme.example: no scheme, port, path, IP address or trailing dot",
  },
  (domain) => new RegExp(DOMAIN).test(domain),
).describe(
  "The tenant's domain: the booking app is served at https://app.<domain>, which is also the Zoom allow-list " +
    "URL. A lowercase DNS name with at least two labels, without scheme, port, path or trailing dot; " +
    `at most ${DOMAIN_MAX} characters so that app.<domain> is a valid host name; an IDN in punycode (xn--). ` +
    "A domain belongs to one ZoomIntegration in the cluster, the oldest claim: a later one gets Ready=False, " +
    "reason DomainConflict, and no route.",
);

const CredentialsSecretRef = withRule(
  z
    .strictObject({
      name: objectName("Name of the Secret, in the ZoomIntegration's namespace, holding the Zoom OAuth client."),
      clientIdKey: secretKey("Key of the Zoom Client ID in the Secret.").default("clientId"),
      clientSecretKey: secretKey("Key of the Zoom Client Secret in the Secret.").default("clientSecret"),
    })
    .describe(
      "The Secret with the Zoom OAuth app's Client ID and Client Secret (made by the platform team, " +
        "an ExternalSecret or a SealedSecret). A change rolls the service's pods.",
    ),
  {
    rule: "self.clientIdKey != self.clientSecretKey",
    message: "clientSecretKey must differ from clientIdKey",
    fieldPath: ".clientSecretKey",
  },
  (ref) => ref.clientIdKey !== ref.clientSecretKey,
);

const WebhookSecretRef = z
  .strictObject({
    name: objectName("Name of the Secret, in the ZoomIntegration's namespace, holding the webhook Secret Token."),
    key: secretKey("Key of the Secret Token in the Secret.").default("secretToken"),
  })
  .describe(
    "The Zoom app's webhook Secret Token (not the Client Secret), used to verify webhook signatures. " +
      "Without it the service answers no webhooks and detects revoked grants from Zoom's token errors only.",
  );

const ServerToServerSecretRef = z
  .strictObject({
    name: objectName("Name of the Secret, in the ZoomIntegration's namespace, holding the Server-to-Server OAuth app's credentials."),
    accountIdKey: secretKey("Key of the Zoom Account ID in the Secret.").default("accountId"),
    clientIdKey: secretKey("Key of the Server-to-Server app's Client ID in the Secret.").default("clientId"),
    clientSecretKey: secretKey("Key of the Server-to-Server app's Client Secret in the Secret.").default("clientSecret"),
  })
  .describe(
    "The Secret with the Account ID, Client ID and Client Secret of a Server-to-Server OAuth app of the tenant's Zoom " +
      "account holding the scopes marketplace:write:app and marketplace:read:app.",
  );

const Provisioning = z
  .strictObject({
    serverToServerSecretRef: ServerToServerSecretRef,
    contactEmail: z.email().max(254).describe("The developer contact e-mail Zoom requires on every app it creates."),
    contactName: z.string().min(1).max(128).default("Platform team").describe("The developer contact name Zoom requires."),
    companyName: z.string().min(1).max(128).default("Booking").describe("The company name Zoom requires."),
  })
  .describe(
    "Let the operator create the tenant's Zoom General app from its manifest through Zoom's Marketplace API, keep the " +
      "app's manifest in sync, and store its Client ID, Client Secret and webhook Secret Token in a Secret it owns " +
      "(status.appSecretName). On deletion, deletionPolicy Revoke also deletes the app; Retain keeps it. " +
      "Exactly one of credentialsSecretRef and provisioning is set.",
  );

const Ingress = z
  .strictObject({
    className: objectName("IngressClass of the Ingress; the cluster's default IngressClass when omitted.").optional(),
    tlsSecretName: objectName(
      "Secret with the TLS certificate for app.<domain>; omit it when TLS is terminated in front of the Ingress.",
    ).optional(),
    annotations: z
      .record(z.string().min(1).max(317), z.string().max(4096))
      .default({})
      .describe("Annotations added to the Ingress, e.g. for cert-manager or the ingress controller."),
  })
  .describe("The Ingress for app.<domain>; it routes only the service's public OAuth and webhook paths.");

// Gateway API names: a Gateway is an object name, a listener's sectionName a DNS-1123 label.
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ParentRef = z
  .strictObject({
    name: objectName("Name of the Gateway."),
    namespace: z
      .string()
      .min(1)
      .max(63)
      .regex(SECTION_NAME, "must be a namespace name (a DNS-1123 label)")
      .optional()
      .describe("Namespace of the Gateway; the ZoomIntegration's namespace when omitted."),
    sectionName: z
      .string()
      .min(1)
      .max(253)
      .regex(SECTION_NAME, "must be a listener name (a DNS-1123 label)")
      .optional()
      .describe("Listener of the Gateway to attach to, e.g. its HTTPS listener; every listener that allows the route when omitted."),
  })
  .describe("A Gateway the HTTPRoute attaches to (an HTTPRoute parentRef of kind Gateway).");

const Gateway = z
  .strictObject({
    parentRefs: z
      .array(ParentRef)
      .min(1)
      .max(16)
      .meta({ "x-kubernetes-list-type": "atomic" })
      .describe("The Gateways that serve app.<domain>; at least one. Routed=True once every one of them accepts the route."),
  })
  .describe(
    "An HTTPRoute (gateway.networking.k8s.io/v1) for app.<domain> routing only the service's public OAuth and webhook " +
      "paths. The Gateway (TLS, listeners) belongs to the platform team; the operator needs no access to it.",
  );

// NB: no default on `ingress` itself: the API server would add it next to `gateway` and refuse the pair.
// The whole `routing` defaults to an Ingress, as it always did.
const Routing = withRule(
  z.strictObject({ ingress: Ingress.optional(), gateway: Gateway.optional() }),
  { rule: "has(self.ingress) != has(self.gateway)", message: "must set exactly one of ingress or gateway" },
  (routing) => (routing.ingress === undefined) !== (routing.gateway === undefined),
).describe(
  "How Zoom and the admin's browser reach the service at https://app.<domain>: exactly one of ingress (an Ingress) " +
    "or gateway (an HTTPRoute). An Ingress with the cluster's default IngressClass when omitted.",
);
export type RoutingSpec = z.output<typeof Routing>;

// The browser lands here after consent: every rule closes a way to turn it into an open redirect.
const AfterConnectPath = withRules(
  z
    .string()
    .min(1)
    .max(512)
    .regex(/^[\x21-\x7e]*$/, "must be printable ASCII without spaces"),
  [
    { rule: "self.startsWith('/')", message: "must be an absolute path starting with /", check: (p) => p.startsWith("/") },
    {
      rule: "!self.contains('//') && !self.contains('\\\\')",
      message: "must not contain // or \\ (a browser reads them as another host: an open redirect)",
      check: (p) => !p.includes("//") && !p.includes("\\"),
    },
    {
      rule: "!self.matches('(^|/)[.][.]?(/|$)')",
      message: "must not contain . or .. segments",
      check: (p) => !/(^|\/)[.][.]?(\/|$)/.test(p),
    },
    {
      rule: "!self.contains('?') && !self.contains('#')",
      message: "must not contain a query or fragment: the service appends ?zoom=connected or ?zoom=error",
      check: (p) => !p.includes("?") && !p.includes("#"),
    },
    { rule: "!self.contains(':')", message: "must not contain a scheme or a colon", check: (p) => !p.includes(":") },
    {
      rule: `self != '${REDIRECT_PATH}'`,
      message: `must not be the OAuth redirect path ${REDIRECT_PATH}`,
      check: (p) => p !== REDIRECT_PATH,
    },
  ],
);

const SpecShape = z
  .strictObject({
    domain: Domain,
    credentialsSecretRef: CredentialsSecretRef.optional(),
    provisioning: Provisioning.optional(),
    webhookSecretRef: WebhookSecretRef.optional(),
    scopes: ScopeList,
    routing: Routing.prefault({ ingress: {} }),
    afterConnectPath: AfterConnectPath.default("/organization/integration/zoom").describe(
      "Path on https://app.<domain> the admin's browser is sent to after consent, with ?zoom=connected or " +
        "?zoom=error&reason=... appended. An absolute path without //, \\, . or .. segments, scheme, query or fragment.",
    ),
    clients: Clients.prefault({}),
    service: Service.prefault({}),
    zoom: Zoom.prefault({}),
    deletionPolicy: z
      .enum([DeletionPolicy.Revoke, DeletionPolicy.Retain])
      .default(DeletionPolicy.Revoke)
      .describe(
        "On deletion, Revoke revokes every Zoom grant (which also uninstalls the app from the Zoom account) and, " +
          "with provisioning, deletes the Zoom app; Retain keeps the grants, the tokens Secret and the app (and " +
          "its Secret, which a ZoomIntegration re-created under the same name adopts).",
      ),
  })
  .describe("The desired Zoom integration of one booking-app instance.");

// NB: a webhook key that is also a credentials key would make the Client ID or Secret the webhook token.
export const ZoomIntegrationSpec = withRules(SpecShape, [
  {
    rule: "has(self.credentialsSecretRef) != has(self.provisioning)",
    message:
      "set exactly one of credentialsSecretRef (an app made by hand in the Zoom Marketplace) and provisioning (the operator creates the app)",
    fieldPath: ".credentialsSecretRef",
    check: (spec) => (spec.credentialsSecretRef === undefined) !== (spec.provisioning === undefined),
  },
  {
    rule: "!has(self.provisioning) || !has(self.webhookSecretRef)",
    message: "must not be set with provisioning: the operator stores the provisioned app's Secret Token itself",
    fieldPath: ".webhookSecretRef",
    check: (spec) => spec.provisioning === undefined || spec.webhookSecretRef === undefined,
  },
  {
    rule:
      "!has(self.webhookSecretRef) || !has(self.credentialsSecretRef) || self.webhookSecretRef.name != self.credentialsSecretRef.name || " +
      "!(self.webhookSecretRef.key in [self.credentialsSecretRef.clientIdKey, self.credentialsSecretRef.clientSecretKey])",
    message: "key must not be the clientIdKey or clientSecretKey of the same Secret",
    fieldPath: ".webhookSecretRef.key",
    check: (spec) =>
      spec.webhookSecretRef === undefined ||
      spec.credentialsSecretRef === undefined ||
      spec.webhookSecretRef.name !== spec.credentialsSecretRef.name ||
      ![spec.credentialsSecretRef.clientIdKey, spec.credentialsSecretRef.clientSecretKey].includes(spec.webhookSecretRef.key),
  },
]);
export type ZoomIntegrationSpec = z.output<typeof ZoomIntegrationSpec>;
/** What a manifest may say: every defaulted field optional. */
export type ZoomIntegrationSpecInput = z.input<typeof ZoomIntegrationSpec>;

// NB: the service is named <name>-zoom and Services need DNS-1035 labels (at most 63 characters,
// starting with a letter), so a name Kubernetes would accept could still break every child.
const NAME_MAX = 63 - "-zoom".length;
const NAME_RULES: CheckedRule<{ metadata: { name?: string | undefined } }>[] = [
  {
    rule: `size(self.metadata.name) <= ${NAME_MAX}`,
    message: `metadata.name must be at most ${NAME_MAX} characters: the service is named <name>-zoom`,
    check: (zi) => (zi.metadata.name ?? "").length <= NAME_MAX,
    issuePath: ["metadata", "name"],
  },
  {
    rule: "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message: "metadata.name must start with a letter and contain only a-z, 0-9 and '-': the service is named <name>-zoom",
    check: (zi) => /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(zi.metadata.name ?? "a"),
    issuePath: ["metadata", "name"],
  },
];

const ObjectMeta = z
  .looseObject({
    name: z.string().optional(),
    namespace: z.string().optional(),
    generation: z.int().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
    deletionTimestamp: z.string().optional(),
  })
  .describe("Standard object metadata.");

export const ZoomIntegration = withRules(
  z
    .object({
      apiVersion: z.literal(API_VERSION).describe("bookingops.dev/v1alpha1."),
      kind: z.literal(KIND).describe("ZoomIntegration."),
      metadata: ObjectMeta,
      spec: ZoomIntegrationSpec,
      status: ZoomIntegrationStatus.optional(),
    })
    .describe(
      "A ZoomIntegration gives one booking-app instance (https://app.<domain>) its own Zoom OAuth app: the " +
        "operator runs a small service that handles Zoom's OAuth redirect and webhooks and lets the booking app " +
        "create meetings. Create the Zoom app from the manifest in the ConfigMap named by status.manifestConfigMapName " +
        "(or enter status.redirectUrl, status.allowListUrl and status.requiredScopes in the Zoom Marketplace), or set " +
        "spec.provisioning and let the operator create it.",
    ),
  NAME_RULES,
);
export type ZoomIntegration = z.output<typeof ZoomIntegration>;
export type ZoomIntegrationInput = z.input<typeof ZoomIntegration>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** `["spec", "scopes", 1]` as the API server writes it: `spec.scopes[1]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === "number") return `${acc}[${part}]`;
    return acc === "" ? String(part) : `${acc}.${String(part)}`;
  }, "");
}

/**
 * Parses a ZoomIntegration read from the cluster (or a manifest) with every default applied.
 * Errors name the field, e.g. `spec.domain: must be a lowercase DNS name ...`.
 */
export function parseZoomIntegration(obj: unknown): ParseResult<ZoomIntegration> {
  const result = ZoomIntegration.safeParse(obj);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: result.error.issues.flatMap(issueMessages) };
}

// NB: zod reports unknown keys on the parent; name each one, as `kubectl apply` does.
function issueMessages(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: unknown field`);
  return [`${fieldPath(issue.path) || "<root>"}: ${issue.message}`];
}

/** The OAuth redirect URL to register in the Zoom Marketplace. */
export function redirectUrl(domain: string): string {
  return `https://${appHost(domain)}${REDIRECT_PATH}`;
}

/** The allow-list URL to register in the Zoom Marketplace. */
export function allowListUrl(domain: string): string {
  return `https://${appHost(domain)}`;
}

/** The event notification endpoint URL to register in the Zoom Marketplace (event subscription). */
export { webhookUrl };

/** The event types to subscribe to in the Zoom Marketplace, sorted. */
export function webhookEventTypes(): string[] {
  return [...ZOOM_EVENT_TYPES].sort();
}

/** The scopes the Zoom app must grant, sorted and without duplicates. */
export function requiredScopes(spec: Pick<ZoomIntegrationSpec, "scopes">): string[] {
  return [...new Set(spec.scopes)].sort();
}

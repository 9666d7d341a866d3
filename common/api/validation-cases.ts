// The invalid-manifest table, shared by the zod unit tests (common/api) and the real-API-server
// suite (test/integration/api-validation.test.ts), so both layers are held to the same cases and
// must name the same field. Each row: a sentence, a JSON merge patch (RFC 7386: null deletes) to
// a valid base manifest, and the field path the error must mention.
import { REDIRECT_PATH } from "../tenant/names.ts";
import { API_VERSION, KIND } from "./constants.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface InvalidCase {
  readonly name: string;
  readonly patch: JsonObject;
  /** A field path the error message must contain, as the API server writes it. */
  readonly field: string;
}

/** The smallest valid ZoomIntegration: everything else comes from defaults. */
export function validBase(name = "acme"): JsonObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name },
    spec: { domain: "acme.example", credentialsSecretRef: { name: "zoom-oauth-client" } },
  };
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** RFC 7386 JSON merge patch, returning a new value. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key] ?? null, value);
  }
  return out;
}

const spec = (patch: JsonObject): JsonObject => ({ spec: patch });
const path = (afterConnectPath: string) => spec({ afterConnectPath });
const scopes = (...list: string[]) => spec({ scopes: list });
const GRANULAR_WITHOUT_DELETE = [
  "meeting:read:meeting:admin",
  "meeting:write:meeting:admin",
  "meeting:update:meeting:admin",
  "user:read:user:admin",
  "user:read:list_users:admin",
];

const PROVISIONING: JsonObject = { serverToServerSecretRef: { name: "zoom-s2s" }, contactEmail: "platform@acme.example" };

const DOMAIN = "spec.domain";
const DOMAIN_CASES: InvalidCase[] = [
  { name: "A domain with a scheme is refused.", patch: spec({ domain: "https://acme.example" }), field: DOMAIN },
  { name: "A domain with a path is refused.", patch: spec({ domain: "acme.example/booking" }), field: DOMAIN },
  { name: "A domain with a port is refused.", patch: spec({ domain: "acme.example:8443" }), field: DOMAIN },
  { name: "A domain with uppercase letters is refused.", patch: spec({ domain: "Acme.Example" }), field: DOMAIN },
  { name: "A domain with a trailing dot is refused.", patch: spec({ domain: "acme.example." }), field: DOMAIN },
  // NB: domains must reach the operator in the one form its domain claims compare (operator/controller/domain-claims.ts).
  { name: "A domain in Unicode is refused (write an IDN as punycode, xn--).", patch: spec({ domain: "bücher.example" }), field: DOMAIN },
  { name: "A domain with a trailing dot and uppercase is refused.", patch: spec({ domain: "ACME.example." }), field: DOMAIN },
  { name: "An IPv4 literal as domain is refused.", patch: spec({ domain: "192.0.2.10" }), field: DOMAIN },
  { name: "An IPv6 literal as domain is refused.", patch: spec({ domain: "[2001:db8::1]" }), field: DOMAIN },
  { name: "A single-label domain is refused.", patch: spec({ domain: "localhost" }), field: DOMAIN },
  { name: "A domain label longer than 63 characters is refused.", patch: spec({ domain: `${"a".repeat(64)}.example` }), field: DOMAIN },
  {
    name: "A domain over 253 characters is refused.",
    patch: spec({ domain: `${"abcdefghi.".repeat(25)}exam` }),
    field: DOMAIN,
  },
  {
    name: "A domain of 250 characters is refused because app.<domain> would exceed 253.",
    patch: spec({ domain: `${"abcdefghi.".repeat(24)}abcdefghij` }),
    field: DOMAIN,
  },
  { name: "An empty domain is refused.", patch: spec({ domain: "" }), field: DOMAIN },
  { name: "A missing domain is refused.", patch: spec({ domain: null }), field: DOMAIN },
];

const SECRET_CASES: InvalidCase[] = [
  {
    name: "A spec without credentialsSecretRef and without provisioning is refused.",
    patch: spec({ credentialsSecretRef: null }),
    field: "spec.credentialsSecretRef",
  },
  {
    name: "A spec with both credentialsSecretRef and provisioning is refused (exactly one path).",
    patch: spec({ provisioning: PROVISIONING }),
    field: "spec.credentialsSecretRef",
  },
  {
    name: "Provisioning with a webhookSecretRef is refused (the operator stores the Secret Token itself).",
    patch: spec({ credentialsSecretRef: null, provisioning: PROVISIONING, webhookSecretRef: { name: "zoom-webhook" } }),
    field: "spec.webhookSecretRef",
  },
  {
    name: "Provisioning without a contact e-mail is refused (Zoom requires one on every app).",
    patch: spec({ credentialsSecretRef: null, provisioning: { ...PROVISIONING, contactEmail: null } }),
    field: "spec.provisioning.contactEmail",
  },
  {
    name: "Provisioning without the Server-to-Server Secret's name is refused.",
    patch: spec({ credentialsSecretRef: null, provisioning: { ...PROVISIONING, serverToServerSecretRef: { name: null } } }),
    field: "spec.provisioning.serverToServerSecretRef.name",
  },
  {
    name: "A credentials Secret reference without a name is refused.",
    patch: spec({ credentialsSecretRef: { name: null } }),
    field: "spec.credentialsSecretRef.name",
  },
  {
    name: "A malformed credentials Secret name is refused.",
    patch: spec({ credentialsSecretRef: { name: "Zoom_Client" } }),
    field: "spec.credentialsSecretRef.name",
  },
  {
    name: "A malformed client id key is refused.",
    patch: spec({ credentialsSecretRef: { clientIdKey: "client id" } }),
    field: "spec.credentialsSecretRef.clientIdKey",
  },
  {
    name: "A client secret key equal to the client id key is refused.",
    patch: spec({ credentialsSecretRef: { clientIdKey: "id", clientSecretKey: "id" } }),
    field: "spec.credentialsSecretRef.clientSecretKey",
  },
  {
    name: "A malformed webhook Secret name is refused.",
    patch: spec({ webhookSecretRef: { name: "-zoom-webhook" } }),
    field: "spec.webhookSecretRef.name",
  },
  {
    name: "A webhook key that is the client secret key of the same Secret is refused.",
    patch: spec({ webhookSecretRef: { name: "zoom-oauth-client", key: "clientSecret" } }),
    field: "spec.webhookSecretRef.key",
  },
];

const PATH = "spec.afterConnectPath";
const PATH_CASES: InvalidCase[] = [
  { name: "A relative afterConnectPath is refused.", patch: path("organization/integration"), field: PATH },
  { name: "An afterConnectPath containing // is refused.", patch: path("/organization//zoom"), field: PATH },
  { name: "A protocol-relative afterConnectPath is refused.", patch: path("//evil.example/zoom"), field: PATH },
  { name: "An afterConnectPath with a .. segment is refused.", patch: path("/organization/../admin"), field: PATH },
  { name: "An afterConnectPath that is a URL with a scheme is refused.", patch: path("https://evil.example/"), field: PATH },
  { name: "An afterConnectPath with a scheme after the slash is refused.", patch: path("/javascript:alert(1)"), field: PATH },
  { name: "An afterConnectPath with a query is refused.", patch: path("/organization?tab=zoom"), field: PATH },
  { name: "An afterConnectPath with a fragment is refused.", patch: path("/organization#zoom"), field: PATH },
  { name: "An afterConnectPath with a backslash is refused.", patch: path("/\\evil.example"), field: PATH },
  { name: "An afterConnectPath equal to the OAuth redirect path is refused.", patch: path(REDIRECT_PATH), field: PATH },
];

const SCOPES = "spec.scopes";
const SCOPE_CASES: InvalidCase[] = [
  {
    name: "A scope with an unknown action is refused.",
    patch: scopes("meeting:read:admin", "meeting:write:admin", "user:read:admin", "meeting:edit:admin"),
    field: SCOPES,
  },
  {
    name: "A scope name in uppercase is refused.",
    patch: scopes("Meeting:Read:Admin", "meeting:write:admin", "user:read:admin"),
    field: SCOPES,
  },
  { name: "A scope that is not a Zoom scope name is refused.", patch: scopes("calendar", "meeting:write:admin"), field: SCOPES },
  {
    name: "A duplicate scope is refused.",
    patch: scopes("meeting:read:admin", "meeting:write:admin", "user:read:admin", "user:read:admin"),
    field: SCOPES,
  },
  { name: "Granular scopes without the meeting delete scope are refused.", patch: scopes(...GRANULAR_WITHOUT_DELETE), field: SCOPES },
  { name: "Scopes without a user scope are refused.", patch: scopes("meeting:read:admin", "meeting:write:admin"), field: SCOPES },
  { name: "An empty scope list is refused.", patch: scopes(), field: SCOPES },
];

const REPLICAS = "spec.service.replicas";
const OTHER_CASES: InvalidCase[] = [
  { name: "Zero replicas are refused.", patch: spec({ service: { replicas: 0 } }), field: REPLICAS },
  { name: "Eleven replicas are refused.", patch: spec({ service: { replicas: 11 } }), field: REPLICAS },
  {
    name: "A pod label that would take over the Deployment's selector is refused.",
    patch: spec({ service: { podLabels: { "app.kubernetes.io/instance": "other" } } }),
    field: "spec.service.podLabels",
  },
  { name: "Fractional replicas are refused.", patch: spec({ service: { replicas: 1.5 } }), field: REPLICAS },
  { name: "Replicas given as a string are refused.", patch: spec({ service: { replicas: "2" } }), field: REPLICAS },
  {
    name: "A memory request that is not a quantity is refused.",
    patch: spec({ service: { resources: { requests: { memory: "lots" } } } }),
    field: "spec.service.resources.requests.memory",
  },
  {
    name: "A memory request above the memory limit is refused.",
    patch: spec({ service: { resources: { requests: { memory: "512Mi" }, limits: { memory: "0.25Gi" } } } }),
    field: "spec.service.resources.requests.memory",
  },
  {
    name: "A CPU request above the CPU limit is refused.",
    patch: spec({ service: { resources: { requests: { cpu: 2 }, limits: { cpu: "1500m" } } } }),
    field: "spec.service.resources.requests.cpu",
  },
  {
    name: "Plain http to a public Zoom host is refused.",
    patch: spec({ zoom: { oauthBaseUrl: "http://zoom.us" } }),
    field: "spec.zoom.oauthBaseUrl",
  },
  {
    name: "A Zoom API base URL with a query is refused.",
    patch: spec({ zoom: { apiBaseUrl: "https://api.zoom.us/?region=eu" } }),
    field: "spec.zoom.apiBaseUrl",
  },
  { name: "An unknown deletionPolicy is refused.", patch: spec({ deletionPolicy: "Delete" }), field: "spec.deletionPolicy" },
  {
    name: "A client selector requirement In without values is refused.",
    patch: spec({ clients: { podSelector: { matchExpressions: [{ key: "app", operator: "In" }] } } }),
    field: "spec.clients.podSelector.matchExpressions[0].values",
  },
  {
    name: "A malformed IngressClass name is refused.",
    patch: spec({ routing: { ingress: { className: "Nginx Public" } } }),
    field: "spec.routing.ingress.className",
  },
  {
    name: "Routing through both an Ingress and a Gateway is refused.",
    patch: spec({ routing: { ingress: {}, gateway: { parentRefs: [{ name: "edge" }] } } }),
    field: "spec.routing",
  },
  { name: "Routing that names no mode is refused.", patch: spec({ routing: {} }), field: "spec.routing" },
  {
    name: "Gateway routing without a parent Gateway is refused.",
    patch: spec({ routing: { gateway: { parentRefs: [] } } }),
    field: "spec.routing.gateway.parentRefs",
  },
  {
    name: "A Gateway parentRef without a name is refused.",
    patch: spec({ routing: { gateway: { parentRefs: [{ namespace: "gateways" }] } } }),
    field: "spec.routing.gateway.parentRefs[0].name",
  },
  {
    name: "A malformed listener sectionName is refused.",
    patch: spec({ routing: { gateway: { parentRefs: [{ name: "edge", sectionName: "HTTPS Public" }] } } }),
    field: "spec.routing.gateway.parentRefs[0].sectionName",
  },
  {
    name: "A Gateway parentRef with an unknown field is refused.",
    patch: spec({ routing: { gateway: { parentRefs: [{ name: "edge", port: 443 }] } } }),
    field: "spec.routing.gateway.parentRefs[0].port",
  },
  { name: "An unknown spec field is refused.", patch: spec({ domian: "acme.example" }), field: "spec.domian" },
  { name: "A name longer than 58 characters is refused.", patch: { metadata: { name: `a${"b".repeat(58)}` } }, field: "metadata.name" },
  { name: "A name starting with a digit is refused.", patch: { metadata: { name: "1acme" } }, field: "metadata.name" },
];

export const INVALID_CASES: readonly InvalidCase[] = [...DOMAIN_CASES, ...SECRET_CASES, ...PATH_CASES, ...SCOPE_CASES, ...OTHER_CASES];

/** The base manifest with one case's patch applied. */
export function invalidManifest(testCase: InvalidCase): JsonObject {
  return mergePatch(validBase(), testCase.patch) as JsonObject;
}

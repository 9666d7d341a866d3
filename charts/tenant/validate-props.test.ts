import { describe, expect, it } from "vitest";
import type { TenantProps } from "./props.ts";
import { InvalidTenantPropsError, validateTenantProps } from "./validate-props.ts";
import { renderTenant } from "./render.ts";
import { fullProps, minimalProps } from "./test-fixtures.ts";

function problemsOf(props: TenantProps): readonly string[] {
  try {
    validateTenantProps(props);
  } catch (error) {
    if (error instanceof InvalidTenantPropsError) return error.problems;
    throw error;
  }
  return [];
}

// biome-ignore lint/suspicious/noExplicitAny: invalid values the types would refuse, as the operator might still pass them.
const bad = (overrides: Record<string, any>) => minimalProps(overrides as Partial<TenantProps>);
const owner = minimalProps().owner;

describe("validateTenantProps", () => {
  it("accepts the minimal and the full props", () => {
    expect(problemsOf(minimalProps())).toEqual([]);
    expect(problemsOf(fullProps())).toEqual([]);
  });

  it.each([
    [
      "a name that is not a label",
      bad({ name: "Acme", owner: { ...owner, name: "Acme" } }),
      'name must be a lowercase RFC 1035 label of at most 58 characters starting with a letter, got "Acme"',
    ],
    ["a name starting with a digit", bad({ name: "1acme", owner: { ...owner, name: "1acme" } }), "name must be a lowercase RFC 1035 label"],
    ["a name too long for <name>-zoom", bad({ name: "a".repeat(59), owner: { ...owner, name: "a".repeat(59) } }), "at most 58 characters"],
    ["an invalid namespace", bad({ namespace: "Tenant_A" }), 'namespace must be a DNS label, got "Tenant_A"'],
    ["an owner of another kind", bad({ owner: { ...owner, kind: "Deployment" } }), 'owner.kind must be ZoomIntegration, got "Deployment"'],
    [
      "an owner of another version",
      bad({ owner: { ...owner, apiVersion: "bookingops.dev/v1" } }),
      'owner.apiVersion must be bookingops.dev/v1alpha1, got "bookingops.dev/v1"',
    ],
    ["an owner with another name", bad({ owner: { ...owner, name: "other" } }), 'owner.name must equal name "acme", got "other"'],
    ["an owner without uid", bad({ owner: { ...owner, uid: "" } }), "owner.uid must not be empty"],
    [
      "a domain with a scheme",
      bad({ domain: "https://acme.example" }),
      'domain must be a lowercase DNS name such as acme.example (no scheme, port, path or trailing dot), got "https://acme.example"',
    ],
    ["a domain with one label", bad({ domain: "localhost" }), "domain must be a lowercase DNS name"],
    [
      "an invalid credentials Secret name",
      bad({ credentialsSecret: { name: "Zoom" } }),
      'credentialsSecret.name must be a DNS subdomain name, got "Zoom"',
    ],
    [
      "an invalid credentials key",
      bad({ credentialsSecret: { name: "zoom", clientIdKey: "client id" } }),
      'credentialsSecret.clientIdKey must be a Secret key (letters, digits, -, _ and .), got "client id"',
    ],
    [
      "equal credentials keys",
      bad({ credentialsSecret: { name: "zoom", clientIdKey: "k", clientSecretKey: "k" } }),
      "credentialsSecret.clientSecretKey must differ from credentialsSecret.clientIdKey",
    ],
    [
      "an invalid webhook key",
      bad({ webhookSecret: { name: "hook", key: "a/b" } }),
      'webhookSecret.key must be a Secret key (letters, digits, -, _ and .), got "a/b"',
    ],
    ["no scopes", bad({ scopes: [] }), "scopes must name at least one scope"],
    [
      "a scope with a space",
      bad({ scopes: ["meeting:read:admin user:read:admin"] }),
      'scopes[0] must be a non-empty scope without spaces, got "meeting:read:admin user:read:admin"',
    ],
    ["a repeated scope", bad({ scopes: ["a", "a"] }), 'scopes[1] repeats "a"'],
    [
      "a relative after-connect path",
      bad({ afterConnectPath: "settings" }),
      'afterConnectPath must be an absolute path starting with /, got "settings"',
    ],
    [
      "an after-connect path to another host",
      bad({ afterConnectPath: "//evil.example" }),
      "afterConnectPath must not contain // or \\ (a browser reads them as another host)",
    ],
    ["an after-connect path with ..", bad({ afterConnectPath: "/a/../b" }), "afterConnectPath must not contain . or .. segments"],
    [
      "an after-connect path with a query",
      bad({ afterConnectPath: "/a?b=c" }),
      "afterConnectPath must not contain a query, fragment, scheme or colon",
    ],
    [
      "the redirect path as after-connect path",
      bad({ afterConnectPath: "/organization/integration/zoom/redirect" }),
      "afterConnectPath must not be the OAuth redirect path /organization/integration/zoom/redirect",
    ],
    [
      "an In expression without values",
      bad({ clientsPodSelector: { matchExpressions: [{ key: "app", operator: "In" }] } }),
      "clientsPodSelector.matchExpressions[0].values must not be empty for operator In",
    ],
    [
      "an Exists expression with values",
      bad({ clientsNamespaceSelector: { matchExpressions: [{ key: "app", operator: "Exists", values: ["x"] }] } }),
      "clientsNamespaceSelector.matchExpressions[0].values must be empty for operator Exists",
    ],
    [
      "an unknown operator",
      bad({ clientsPodSelector: { matchExpressions: [{ key: "app", operator: "Equals", values: ["x"] }] } }),
      'clientsPodSelector.matchExpressions[0].operator must be one of In, NotIn, Exists, DoesNotExist, got "Equals"',
    ],
    [
      "an invalid label value",
      bad({ clientsPodSelector: { matchLabels: { app: "a b" } } }),
      'clientsPodSelector.matchLabels["app"] must be a label value, got "a b"',
    ],
    [
      "an invalid label key",
      bad({ clientsPodSelector: { matchLabels: { "a b": "x" } } }),
      'clientsPodSelector.matchLabels key "a b" must be a qualified name',
    ],
    ["an invalid IngressClass", bad({ ingress: { className: "NGINX" } }), 'ingress.className must be a DNS subdomain name, got "NGINX"'],
    [
      "an invalid TLS Secret",
      bad({ ingress: { tlsSecretName: "tls_secret" } }),
      'ingress.tlsSecretName must be a DNS subdomain name, got "tls_secret"',
    ],
    [
      "an invalid annotation key",
      bad({ ingress: { annotations: { "": "x" } } }),
      'ingress.annotations[""] must be a qualified name such as example.com/key',
    ],
    ["zero replicas", bad({ replicas: 0 }), "replicas must be an integer of at least 1, got 0"],
    ["fractional replicas", bad({ replicas: 1.5 }), "replicas must be an integer of at least 1, got 1.5"],
    ["an image with a space", bad({ image: "a b" }), 'image must be a non-empty image reference without spaces, got "a b"'],
    [
      "an unknown pull policy",
      bad({ imagePullPolicy: "Sometimes" }),
      'imagePullPolicy must be one of Always, IfNotPresent, Never, got "Sometimes"',
    ],
    [
      "a bad quantity",
      bad({ resources: { limits: { memory: "256MB" } } }),
      'resources.limits.memory must be a Kubernetes quantity such as 100m or 64Mi, got "256MB"',
    ],
    ["a negative quantity", bad({ resources: { requests: { cpu: "-1" } } }), 'resources.requests.cpu must not be negative, got "-1"'],
    [
      "a Zoom URL with another scheme",
      bad({ zoom: { oauthBaseUrl: "ftp://zoom.us" } }),
      'zoom.oauthBaseUrl must be an http(s) URL without user, query or fragment, got "ftp://zoom.us"',
    ],
    [
      "a Zoom URL with a query",
      bad({ zoom: { apiBaseUrl: "https://api.zoom.us?x=1" } }),
      "zoom.apiBaseUrl must be an http(s) URL without user, query or fragment",
    ],
    ["an empty checksum", bad({ credentialsChecksum: "" }), "credentialsChecksum must not be empty"],
    ["an empty api token", bad({ apiToken: { token: "", stateKey: "k" } }), "apiToken.token must not be empty"],
    ["an empty state key", bad({ apiToken: { token: "t", stateKey: "" } }), "apiToken.stateKey must not be empty"],
  ])("refuses %s", (_case, props, message) => {
    const problems = problemsOf(props);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("lists every problem at once, in one error with a stable code", () => {
    const props = bad({ namespace: "", replicas: -1, image: "" });
    expect(() => validateTenantProps(props)).toThrow(InvalidTenantPropsError);
    const error = (() => {
      try {
        validateTenantProps(props);
      } catch (e) {
        return e as InvalidTenantPropsError;
      }
    })();
    expect(error?.code).toBe("InvalidTenantProps");
    expect(error?.problems).toHaveLength(3);
    expect(error?.message).toBe(`invalid tenant props: ${error?.problems.join("; ")}`);
  });

  it("never echoes the api token or state key in a message", () => {
    const props = bad({ name: "Bad", apiToken: { token: "s3cr3t-token", stateKey: "s3cr3t-key" } });
    expect(problemsOf(props).join("\n")).not.toMatch(/s3cr3t/);
  });

  it("runs before anything is rendered", () => {
    expect(() => renderTenant(bad({ replicas: 0 }))).toThrow("replicas must be an integer of at least 1, got 0");
  });
});

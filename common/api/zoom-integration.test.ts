import { describe, expect, it } from "vitest";
import { quantityValue } from "../kube/quantity.ts";
import { INVALID_CASES, invalidManifest, type JsonObject, mergePatch, validBase } from "./validation-cases.ts";
import { appHost } from "../tenant/names.ts";
import {
  allowListUrl,
  DEFAULT_SCOPES,
  fieldPath,
  parseZoomIntegration,
  redirectUrl,
  requiredScopes,
  type ZoomIntegration,
} from "./zoom-integration.ts";

function parsed(patch: Parameters<typeof mergePatch>[1] = {}): ZoomIntegration {
  const result = parseZoomIntegration(mergePatch(validBase(), patch));
  if (!result.ok) throw new Error(`expected a valid manifest, got:\n${result.errors.join("\n")}`);
  return result.value;
}

describe("parseZoomIntegration", () => {
  it("fills in every documented default for the smallest valid manifest", () => {
    expect(parsed().spec).toEqual({
      domain: "acme.example",
      credentialsSecretRef: { name: "zoom-oauth-client", clientIdKey: "clientId", clientSecretKey: "clientSecret" },
      scopes: [...DEFAULT_SCOPES],
      routing: { ingress: { annotations: {} } },
      afterConnectPath: "/organization/integration/zoom",
      clients: { podSelector: {} },
      service: { replicas: 2, resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } } },
      zoom: { oauthBaseUrl: "https://zoom.us", apiBaseUrl: "https://api.zoom.us" },
      deletionPolicy: "Revoke",
    });
  });

  it("keeps values that are given instead of the defaults", () => {
    const zi = parsed({
      spec: { service: { replicas: 3, resources: { limits: { cpu: 1 } } }, deletionPolicy: "Retain" },
    });
    expect(zi.spec.service.replicas).toBe(3);
    expect(zi.spec.service.resources.limits).toEqual({ cpu: 1, memory: "256Mi" });
    expect(zi.spec.deletionPolicy).toBe("Retain");
  });

  it("accepts a complete granular scope list", () => {
    const granular = [
      "meeting:read:meeting:admin",
      "meeting:write:meeting:admin",
      "meeting:update:meeting:admin",
      "meeting:delete:meeting:admin",
      "user:read:user:admin",
      "user:read:list_users:admin",
    ];
    expect(parsed({ spec: { scopes: granular } }).spec.scopes).toEqual(granular);
  });

  it("accepts plain http only for loopback and in-cluster emulator hosts", () => {
    const zoom = { oauthBaseUrl: "http://127.0.0.1:18080", apiBaseUrl: "http://zoom-emulator.test.svc:8080/api" };
    expect(parsed({ spec: { zoom } }).spec.zoom).toEqual(zoom);
  });

  it("accepts a webhook Secret, the Ingress settings and a client selector", () => {
    const zi = parsed({
      spec: {
        webhookSecretRef: { name: "zoom-oauth-client" },
        routing: { ingress: { className: "nginx", tlsSecretName: "app-acme-tls", annotations: { a: "b" } } },
        clients: { podSelector: { matchLabels: { app: "booking" }, matchExpressions: [{ key: "tier", operator: "Exists" }] } },
      },
    });
    expect(zi.spec.webhookSecretRef).toEqual({ name: "zoom-oauth-client", key: "secretToken" });
    expect(zi.spec.routing.ingress?.className).toBe("nginx");
  });

  it("routes through an Ingress when routing is omitted, as before Gateway API routing existed", () => {
    expect(parsed({}).spec.routing).toEqual({ ingress: { annotations: {} } });
  });

  it("accepts Gateway routing with parentRefs and no Ingress", () => {
    const gateway: JsonObject = { parentRefs: [{ name: "edge", namespace: "gateways", sectionName: "https" }, { name: "internal" }] };
    const zi = parsed({ spec: { routing: { gateway } } });
    expect(zi.spec.routing).toEqual({ gateway });
  });

  it("accepts the status the operator writes", () => {
    const status = {
      observedGeneration: 3,
      conditions: [{ type: "Ready", status: "True", reason: "Reconciled", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }],
      redirectUrl: redirectUrl("acme.example"),
      connections: [{ organizationId: "org-1", state: "Connected", scopes: ["meeting:read:admin"] }],
    };
    expect(parsed({ status }).status).toEqual(status);
  });

  it("refuses two conditions of the same type", () => {
    const condition = { type: "Ready", status: "True", reason: "Reconciled", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" };
    const result = parseZoomIntegration(mergePatch(validBase(), { status: { conditions: [condition, condition] } }));
    expect(result.ok ? [] : result.errors).toEqual(["status.conditions[1].type: duplicate type"]);
  });

  it("names each unknown field, as kubectl apply does", () => {
    const result = parseZoomIntegration(mergePatch(validBase(), { spec: { domian: "x", service: { replica: 2 } } }));
    expect(result.ok ? [] : result.errors).toEqual(["spec.service.replica: unknown field", "spec.domian: unknown field"]);
  });

  it("has at least 30 invalid cases in the shared table", () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(INVALID_CASES)("$name (the error names $field)", (testCase) => {
    const result = parseZoomIntegration(invalidManifest(testCase));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.some((e) => e.startsWith(testCase.field))).toBe(true);
  });
});

describe("helpers", () => {
  it("derives the Zoom Marketplace URLs from the domain", () => {
    expect(appHost("acme.example")).toBe("app.acme.example");
    expect(redirectUrl("acme.example")).toBe("https://app.acme.example/organization/integration/zoom/redirect");
    expect(allowListUrl("acme.example")).toBe("https://app.acme.example");
  });

  it("lists the required scopes sorted and without duplicates", () => {
    expect(requiredScopes({ scopes: ["user:read:admin", "meeting:write:admin", "user:read:admin"] })).toEqual([
      "meeting:write:admin",
      "user:read:admin",
    ]);
  });

  it("writes field paths the way the API server does", () => {
    expect(fieldPath(["spec", "scopes", 1])).toBe("spec.scopes[1]");
    expect(fieldPath(["spec", "clients", "podSelector", "matchExpressions", 0, "values"])).toBe(
      "spec.clients.podSelector.matchExpressions[0].values",
    );
  });
});

describe("quantityValue", () => {
  it.each([
    [1, 1],
    ["500m", 0.5],
    ["128Mi", 128 * 2 ** 20],
    ["1G", 1e9],
    ["1e3", 1000],
    ["lots", Number.NaN],
  ])("reads %s as %s", (q, value) => {
    expect(quantityValue(q)).toBe(value);
  });
});

describe("mergePatch", () => {
  it("merges objects, replaces lists and deletes keys set to null", () => {
    expect(mergePatch({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2], e: 3 }, d: null })).toEqual({ a: { b: 1, c: [2], e: 3 } });
  });
});

// The consent flow with Gateway API routing: the tenant asks for routing.gateway, the operator applies
// an HTTPRoute attached to the namespace's Gateway (class traefik), real Traefik accepts it (Routed
// comes from the route's status, not from the object existing) and serves app.<domain> with the
// tenant's TLS Secret; the admin consents in Chromium through it. The Ingress mode runs in
// zoom-integration.e2e.test.ts.
import { describe, expect, it } from "vitest";
import { rawRequest } from "../../common/kube/raw-client.ts";
import { REDIRECT_PATH, tenantNames } from "../../common/tenant/names.ts";
import { EXTERNAL_READINESS_LABEL, EXTERNAL_READINESS_VALUE } from "../cluster/kwok-stages.ts";
import { clusterEnv, kubectl } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { condition, ziApi } from "../support/tenant-fixtures.ts";
import { consentInBrowser } from "./support/admin-consent.ts";
import { bookingAppClient } from "./support/booking-app.ts";
import { TENANT, useE2eEnvironment } from "./support/e2e-environment.ts";
import { GATEWAY_NAME } from "./support/traefik-edge.ts";

const e2e = useE2eEnvironment("e2e-gw", "gateway");
const { kc } = clusterEnv();
const names = tenantNames(TENANT.name);
const ORG = "org-gateway";
const ns = () => e2e.env.namespace;

interface HttpRoute {
  metadata: { generation: number };
  spec: { parentRefs: unknown[]; hostnames: string[]; rules: { matches: unknown[] }[] };
  status?: { parents?: { conditions?: { type: string; status: string; observedGeneration?: number }[] }[] };
}

describe("Gateway API routing, end to end", () => {
  it("routes app.<domain> through an HTTPRoute that Traefik accepted, and the admin connects Zoom through it", async () => {
    const { zoom } = e2e.env;
    const manifests = [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "zoom-oauth-client" },
        stringData: { clientId: TENANT.clientId, clientSecret: TENANT.clientSecret },
      },
      {
        apiVersion: "bookingops.dev/v1alpha1",
        kind: "ZoomIntegration",
        metadata: { name: TENANT.name },
        spec: {
          domain: TENANT.domain,
          credentialsSecretRef: { name: "zoom-oauth-client" },
          routing: { gateway: { parentRefs: [{ name: GATEWAY_NAME, sectionName: "https" }] } },
          service: { replicas: 2, podLabels: { [EXTERNAL_READINESS_LABEL]: EXTERNAL_READINESS_VALUE } },
          zoom: { oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url },
        },
      },
    ];
    const t0 = Date.now();
    const applied = await kubectl(["apply", "-n", ns(), "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }),
    });
    expect(applied.code, applied.stderr).toBe(0);
    const waited = await kubectl(["wait", "--for=condition=Ready", `zoomintegration/${TENANT.name}`, "-n", ns(), "--timeout=150s"]);
    expect(waited.code, `kubectl wait: ${waited.stderr}`).toBe(0);
    console.log(`[measure] gateway mode: kubectl apply to Ready (HTTPRoute accepted by Traefik): ${Date.now() - t0} ms`);

    const zi = await ziApi(kc).get(ns(), TENANT.name);
    expect(condition(zi, "Routed")).toMatchObject({ status: "True", reason: "RouteAccepted" });
    expect((await kubectl(["get", "ingress", names.ingress, "-n", ns()])).code, "no Ingress in Gateway mode").not.toBe(0);
    const route = await rawRequest<HttpRoute>(kc, {
      method: "GET",
      path: `/apis/gateway.networking.k8s.io/v1/namespaces/${ns()}/httproutes/${names.httpRoute}`,
    });
    expect(route.spec.hostnames).toEqual([TENANT.appHost]);
    expect(route.spec.rules[0]?.matches).toEqual([
      { path: { type: "Exact", value: REDIRECT_PATH } },
      { path: { type: "PathPrefix", value: "/zoom-integration/" } },
    ]);
    // Traefik, not the test, wrote the route's status.
    const conditions = route.status?.parents?.[0]?.conditions ?? [];
    expect(conditions.filter((c) => c.type === "Accepted" || c.type === "ResolvedRefs").map((c) => [c.type, c.status])).toEqual([
      ["Accepted", "True"],
      ["ResolvedRefs", "True"],
    ]);

    const bookingApp = await bookingAppClient(kc, zi, e2e.env.dispatcher);
    await consentInBrowser({ env: e2e.env, bookingApp, organizationId: ORG, label: "gateway-connect" });
    expect((await bookingApp.getConnection(ORG)).state).toBe("Connected");
    await eventually(async () => expect(condition(await ziApi(kc).get(ns(), TENANT.name), "Connected")?.status).toBe("True"), {
      timeout: 30_000,
    });
  });

  it("refuses the route visibly when the Gateway does not allow it: Routed copies Traefik's reason, Ready turns False", async () => {
    // NB: a listener hostname that does not match app.<domain>: Traefik must refuse to attach the route.
    const patched = await kubectl([
      "patch",
      "gateway",
      GATEWAY_NAME,
      "-n",
      ns(),
      "--type=json",
      "-p",
      JSON.stringify([{ op: "replace", path: "/spec/listeners/0/hostname", value: "other.example" }]),
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    const refused = await eventually(
      async () => {
        const zi = await ziApi(kc).get(ns(), TENANT.name);
        const routed = condition(zi, "Routed");
        expect(routed?.status, JSON.stringify(routed)).toBe("False");
        expect(routed?.reason).not.toBe("RoutePending");
        expect(condition(zi, "Ready")?.status).toBe("False");
        return routed;
      },
      { timeout: 60_000 },
    );
    console.log(`[note] Traefik refused the route with: ${refused?.reason}: ${refused?.message}`);
    expect(refused?.reason).toBe("NoMatchingListenerHostname");
    expect(refused?.message).toContain(`Gateway ${ns()}/${GATEWAY_NAME}#https: Accepted=False`);
  });
});

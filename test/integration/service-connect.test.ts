// The service's connect flow, connection API and webhooks against the Zoom emulator and the real
// control plane, running as the chart's ServiceAccount (least-privilege RBAC for real).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConnections } from "../../common/tenant/token-secret.ts";
import { Env, FileName } from "../../common/tenant/contract.ts";
import { WEBHOOK_PATH } from "../../common/tenant/names.ts";
import { CLASSIC_SCOPES, DEFAULT_SEED, startZoomEmulator, type ZoomEmulator, ZoomAuthorizeError } from "../zoom-emulator/index.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type RunningService, SecretCollector, startBrowserFlow, startServiceInProcess, visit } from "../support/service-harness.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";

const NARROW = { clientId: "acme-narrow-client", clientSecret: "acme-narrow-secret-value" };
let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let svc: RunningService;
const secrets = new SecretCollector();
const ns = useNamespace("svc", () => svc?.lines.slice(-60).join("\n") ?? "");
const core = () => clusterEnv().kc.makeApiClient(CoreV1Api);
const landing = "https://app.acme.example/organization/integration/zoom";

beforeAll(async () => {
  const seedApps = DEFAULT_SEED.apps ?? [];
  zoom = await startZoomEmulator({
    seed: {
      ...DEFAULT_SEED,
      apps: [
        ...seedApps,
        { ...seedApps[0]!, ...NARROW, secretToken: "narrow-webhook-secret", scopes: ["meeting:read:admin", "user:read:admin"] },
      ],
    },
    behaviour: { rateLimits: false },
  });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url, webhookSecretToken: "acme-webhook-secret" });
  svc = await startServiceInProcess(tenant);
  secrets.add(tenant.apiToken, tenant.stateKey, tenant.clientSecret, NARROW.clientSecret, "acme-webhook-secret");
});
afterAll(async () => {
  await svc?.close();
  await zoom?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${svc.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.apiToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function flow(org: string) {
  const f = await startBrowserFlow(svc, zoom, tenant.apiToken, org);
  const params = new URL(f.redirect).searchParams;
  secrets.add(params.get("code"), params.get("state"), f.cookie.split("=")[1], new URL(f.authorizationUrl).searchParams.get("ticket"));
  return f;
}

async function connect(org: string) {
  const f = await flow(org);
  const done = await visit(svc, f.redirect, f.cookie);
  expect(done.location).toBe(`${landing}?zoom=connected`);
  await secrets.addStoredTokens(tenant);
  return f;
}

const tokenCalls = () => zoom.inspect().requestsPerRoute["POST /oauth/token"] ?? 0;

describe("the connect flow", () => {
  it("connects an organization: PKCE S256, a bound cookie, stored tokens, a Connected summary and an Event", async () => {
    const f = await flow("org-1");
    const zoomUrl = new URL(f.zoomUrl);
    expect(zoomUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(zoomUrl.searchParams.get("redirect_uri")).toBe("https://app.acme.example/organization/integration/zoom/redirect");
    expect(f.setCookie).toMatch(/HttpOnly/i);
    expect(f.setCookie).toMatch(/SameSite=Lax/i);
    expect(f.setCookie).toMatch(/Secure/i);
    const done = await visit(svc, f.redirect, f.cookie);
    expect([done.status, done.location]).toEqual([303, `${landing}?zoom=connected`]);
    expect(done.setCookie).toMatch(/zoom_integration_flow=;/);
    await secrets.addStoredTokens(tenant);

    const status = await api("GET", "/v1/organizations/org-1/zoom/connection");
    expect(status.body).toMatchObject({
      organizationId: "org-1",
      state: "Connected",
      accountId: "acme-account",
      userId: "acme-admin",
      scopes: CLASSIC_SCOPES,
      missingScopes: [],
    });
    expect((await api("POST", "/v1/organizations/org-1/zoom/connection/verify")).body).toMatchObject({
      state: "Connected",
      accountId: "acme-account",
    });
    const secret = await core().readNamespacedSecret({ name: tenant.tokensSecret, namespace: ns.name });
    expect(readConnections(secret.metadata?.annotations).connections).toMatchObject([
      { organizationId: "org-1", state: "Connected", accountId: "acme-account" },
    ]);
    await eventually(async () => {
      const events = await core().listNamespacedEvent({ namespace: ns.name });
      expect(events.items.map((e) => `${e.involvedObject.kind}/${e.reason}`)).toContain("ZoomIntegration/ZoomConnected");
    });
  });

  it("lets a connect link be used once, across replicas: a second visit gets a clear page and links nothing", async () => {
    const f = await flow("org-once");
    const other = await startServiceInProcess(tenant, "svc-1");
    try {
      for (const replica of [svc, other]) {
        const again = await visit(replica, f.authorizationUrl);
        expect([again.status, again.location, again.setCookie]).toEqual([410, "", ""]);
        expect(again.body).toContain("This link was already used");
        expect(again.body).toContain("Nothing was connected");
      }
    } finally {
      await other.close();
    }
    expect((await api("GET", "/v1/organizations/org-once/zoom/connection")).body).toMatchObject({ state: "NotConnected" });
    expect((await visit(svc, f.redirect, f.cookie)).location).toBe(`${landing}?zoom=connected`);
    await secrets.addStoredTokens(tenant);
  });

  it("refuses a tampered state without calling Zoom", async () => {
    const f = await flow("org-2");
    const url = new URL(f.redirect);
    const state = url.searchParams.get("state")!;
    url.searchParams.set("state", `${state.slice(0, 10)}${state[10] === "A" ? "B" : "A"}${state.slice(11)}`);
    const before = tokenCalls();
    expect((await visit(svc, url.toString(), f.cookie)).location).toBe(`${landing}?zoom=error&reason=invalid_state`);
    expect(tokenCalls()).toBe(before);
  });

  it("refuses a state older than ten minutes", async () => {
    const f = await flow("org-2");
    svc.clock.offsetMs = 11 * 60_000;
    try {
      expect((await visit(svc, f.redirect, f.cookie)).location).toBe(`${landing}?zoom=error&reason=expired_state`);
    } finally {
      svc.clock.offsetMs = 0;
    }
  });

  it("refuses a callback in a browser without the binding cookie (login CSRF)", async () => {
    const f = await flow("org-2");
    expect((await visit(svc, f.redirect)).location).toBe(`${landing}?zoom=error&reason=browser_mismatch`);
    expect((await visit(svc, f.redirect, "zoom_integration_flow=someone-elses")).location).toBe(
      `${landing}?zoom=error&reason=browser_mismatch`,
    );
  });

  it("refuses a replayed state even with its cookie, before presenting anything to Zoom", async () => {
    const f = await connect("org-3");
    const before = tokenCalls();
    expect((await visit(svc, f.redirect, f.cookie)).location).toBe(`${landing}?zoom=error&reason=state_reused`);
    expect(tokenCalls()).toBe(before);
  });

  it("reports a reused authorization code as Zoom refuses it", async () => {
    const used = await connect("org-4");
    const fresh = await flow("org-4");
    const url = new URL(fresh.redirect);
    url.searchParams.set("code", new URL(used.redirect).searchParams.get("code")!);
    expect((await visit(svc, url.toString(), fresh.cookie)).location).toBe(`${landing}?zoom=error&reason=invalid_code`);
  });

  it("never redirects off the booking app: foreign return paths are refused and a wrong redirect URL is refused by Zoom", async () => {
    for (const returnPath of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      const res = await api("POST", "/v1/organizations/org-5/zoom/authorization", { returnPath });
      expect([res.status, res.body.code, res.body.details?.field]).toEqual([400, "BAD_REQUEST", "body.returnPath"]);
    }
    const wrong = await startServiceInProcess({
      ...tenant,
      env: (pod) => ({ ...tenant.env(pod), PUBLIC_ORIGIN: "https://app.other.example" }),
    });
    try {
      const { authorizationUrl } = wrong.service.flow.startAuthorization("org-5", undefined);
      const begun = await wrong.service.flow.beginAtZoom(new URL(authorizationUrl).searchParams.get("ticket")!);
      expect(() => zoom.approve("zoomUrl" in begun ? begun.zoomUrl : "", "admin@acme.example")).toThrow(ZoomAuthorizeError);
      expect(() => zoom.approve("zoomUrl" in begun ? begun.zoomUrl : "", "admin@acme.example")).toThrow(/4709/);
    } finally {
      await wrong.close();
    }
  });

  it("stores a grant lacking required scopes as MissingScopes, naming them, with rotated credentials and no restart", async () => {
    const dir = tenant.env("x")[Env.CredentialsDir]!;
    await writeFile(join(dir, FileName.ClientId), NARROW.clientId);
    await writeFile(join(dir, FileName.ClientSecret), NARROW.clientSecret);
    await svc.reloadSecrets();
    try {
      const f = await flow("org-narrow");
      expect((await visit(svc, f.redirect, f.cookie)).location).toBe(`${landing}?zoom=error&reason=missing_scopes`);
      await secrets.addStoredTokens(tenant);
      expect((await api("GET", "/v1/organizations/org-narrow/zoom/connection")).body).toMatchObject({
        state: "MissingScopes",
        missingScopes: ["meeting:write:admin"],
      });
      const verify = await api("POST", "/v1/organizations/org-narrow/zoom/connection/verify");
      expect([verify.status, verify.body.code, verify.body.details]).toEqual([
        409,
        "MISSING_SCOPES",
        { missingScopes: ["meeting:write:admin"] },
      ]);
    } finally {
      await writeFile(join(dir, FileName.ClientId), "acme-client");
      await writeFile(join(dir, FileName.ClientSecret), tenant.clientSecret);
      await svc.reloadSecrets();
    }
  });

  it("answers an install started from the Zoom Marketplace (no state) with a page saying where to start", async () => {
    const redirect = zoom.installFromMarketplace("acme-client", "admin@acme.example");
    secrets.add(new URL(redirect).searchParams.get("code"));
    const before = tokenCalls();
    const page = await visit(svc, redirect);
    expect(page.status).toBe(200);
    expect(page.body).toContain("connect Zoom from the booking app");
    expect(page.body).toContain(landing);
    expect(tokenCalls()).toBe(before);
  });
});

describe("the token lifecycle and the connection API", () => {
  it("turns invalid_grant into ReauthorizationRequired, visible in the API, the CR's annotation and as an Event, without a loop", async () => {
    await connect("org-reauth");
    await connect("org-newer"); // NB: a newer consent of the same app on the same account ends the earlier grant (4741)
    const grantId = zoom
      .inspect()
      .grants.filter((g) => g.clientId === "acme-client" && g.ended === "superseded")
      .at(-1)!.id;
    const first = await api("POST", "/v1/organizations/org-reauth/zoom/connection/verify");
    expect([first.status, first.body.code]).toEqual([409, "REAUTHORIZATION_REQUIRED"]);
    const calls = zoom.inspect().refreshCalls[grantId];
    const again = await api("POST", "/v1/organizations/org-reauth/zoom/connection/verify");
    expect(again.body.code).toBe("REAUTHORIZATION_REQUIRED");
    expect(zoom.inspect().refreshCalls[grantId]).toBe(calls);
    expect((await api("GET", "/v1/organizations/org-reauth/zoom/connection")).body).toMatchObject({
      state: "ReauthorizationRequired",
      reason: expect.stringContaining("invalid_grant"),
    });
    const secret = await core().readNamespacedSecret({ name: tenant.tokensSecret, namespace: ns.name });
    expect(readConnections(secret.metadata?.annotations).connections.find((c) => c.organizationId === "org-reauth")?.state).toBe(
      "ReauthorizationRequired",
    );
    await eventually(async () => {
      const events = (await core().listNamespacedEvent({ namespace: ns.name })).items.filter((e) => e.reason === "ReauthorizationRequired");
      expect(events.map((e) => [e.type, e.involvedObject.kind, e.involvedObject.name])).toEqual([["Warning", "ZoomIntegration", "acme"]]);
      expect(events[0]?.message).toContain("org-reauth");
    });
    expect(await (await fetch(`${svc.apiUrl}/metrics`)).text()).toMatch(/zio_service_reauthorization_required_total 1/);
  });

  it("refreshes once after a 124 and keeps working", async () => {
    zoom.clock.advance(61 * 60_000); // every access token is now expired at Zoom
    const res = await api("POST", "/v1/organizations/org-newer/zoom/connection/verify");
    expect([res.status, res.body.state]).toEqual([200, "Connected"]);
    await secrets.addStoredTokens(tenant);
    expect(zoom.inspect().reusedRefreshTokens).toEqual([]);
    zoom.clock.advance(-61 * 60_000); // NB: back to the service's time, or webhook signatures look stale
  });

  it("disconnects: revokes the grant at Zoom and deletes the tokens, idempotently", async () => {
    expect((await api("DELETE", "/v1/organizations/org-newer/zoom/connection")).status).toBe(204);
    expect(zoom.inspect().grants.filter((g) => g.clientId === "acme-client" && !g.ended)).toEqual([]);
    expect((await api("GET", "/v1/organizations/org-newer/zoom/connection")).body).toEqual({
      organizationId: "org-newer",
      state: "NotConnected",
    });
    expect((await api("DELETE", "/v1/organizations/org-newer/zoom/connection")).status).toBe(204);
    const verify = await api("POST", "/v1/organizations/org-newer/zoom/connection/verify");
    expect([verify.status, verify.body.code]).toEqual([409, "CONNECTION_MISSING"]);
  });
});

describe("the Zoom webhook", () => {
  const url = () => `${svc.publicUrl}${WEBHOOK_PATH}`;

  it("answers Zoom's URL validation", async () => {
    const result = await zoom.webhooks.sendUrlValidation("acme-client", { url: url() });
    expect(result.validated).toBe(true);
  });

  it("deletes the account's tokens on app_deauthorized within 3 s, and a duplicate delivery is harmless", async () => {
    await connect("org-webhook");
    for (let i = 0; i < 2; i++) {
      const delivery = await zoom.webhooks.sendDeauthorized(
        "acme-client",
        { accountId: "acme-account", userId: "acme-admin" },
        { url: url() },
      );
      expect(delivery.acknowledged).toBe(true);
    }
    expect((await api("GET", "/v1/organizations/org-webhook/zoom/connection")).body.state).toBe("NotConnected");
  });

  it("refuses forged and stale deliveries", async () => {
    await connect("org-webhook-2");
    const forged = await zoom.webhooks.sendDeauthorized(
      "acme-client",
      { accountId: "acme-account", userId: "acme-admin" },
      { url: url(), secretToken: "not-the-secret-token" },
    );
    const stale = await zoom.webhooks.sendDeauthorized(
      "acme-client",
      { accountId: "acme-account", userId: "acme-admin" },
      { url: url(), signedAt: zoom.clock.now() - 6 * 60_000 },
    );
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect((await api("GET", "/v1/organizations/org-webhook-2/zoom/connection")).body.state).toBe("Connected");
  });
});

describe("the logs", () => {
  it("contain none of the tokens, codes, states, cookies or secrets this run used", async () => {
    await secrets.addStoredTokens(tenant);
    expect(svc.lines.length).toBeGreaterThan(20);
    expect(secrets.values.size).toBeGreaterThan(20);
    expect(secrets.leaks(svc.lines)).toEqual([]);
  });
});

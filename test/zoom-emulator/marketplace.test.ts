import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderManifest } from "../../common/tenant/manifest.ts";
import type { ZoomEmulator } from "./index.ts";
import { DEFAULT_S2S_APP } from "./s2s.ts";
import { api, basic, startFrozen, tokenRequest } from "./test-kit.ts";

let zoom: ZoomEmulator;
beforeEach(async () => {
  zoom = await startFrozen();
});
afterEach(() => zoom.close());

const s2sBasic = (secret: string = DEFAULT_S2S_APP.clientSecret) => basic(DEFAULT_S2S_APP.clientId, secret);
const manifest = (domain = "acme.example") =>
  renderManifest({ domain, scopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"] });
const createBody = (m: unknown = manifest()) => ({
  app_name: "zio-uid-1",
  app_type: "general",
  company_name: "Acme",
  contact_name: "Platform",
  contact_email: "platform@acme.example",
  manifest: m,
});

async function s2sToken(): Promise<string> {
  const answer = await tokenRequest(zoom, { grant_type: "account_credentials", account_id: "acme-account" }, s2sBasic());
  expect(answer.status).toBe(200);
  return answer.json.access_token as string;
}

describe("Server-to-Server OAuth (account_credentials)", () => {
  it("issues a one-hour bearer token without a refresh token, carrying the app's scopes", async () => {
    const answer = await tokenRequest(zoom, { grant_type: "account_credentials", account_id: "acme-account" }, s2sBasic());
    expect(answer.json).toMatchObject({ token_type: "bearer", expires_in: 3599, scope: "marketplace:read:app marketplace:write:app" });
    expect(answer.json.refresh_token).toBeUndefined();
  });

  it("reads grant_type and account_id from the query string as Zoom's docs write them", async () => {
    const res = await fetch(`${zoom.url}/oauth/token?grant_type=account_credentials&account_id=acme-account`, {
      method: "POST",
      headers: { authorization: s2sBasic() },
    });
    expect(res.status).toBe(200);
  });

  it("refuses a wrong secret, a deactivated app, a wrong account and a General app's client", async () => {
    const form = { grant_type: "account_credentials", account_id: "acme-account" };
    expect((await tokenRequest(zoom, form, s2sBasic("wrong"))).json.error).toBe("invalid_client");
    expect((await tokenRequest(zoom, { ...form, account_id: "globex-account" }, s2sBasic())).json.error).toBe("invalid_request");
    expect((await tokenRequest(zoom, form, basic())).json.error).toBe("unsupported_grant_type");
    zoom.marketplace.setServerToServerActive(DEFAULT_S2S_APP.clientId, false);
    expect((await tokenRequest(zoom, form, s2sBasic())).json.error).toBe("invalid_client");
  });
});

describe("the Marketplace app API", () => {
  it("creates a General app from a manifest whose client an admin of the account can consent to", async () => {
    const created = await api(zoom, await s2sToken(), "POST", "/marketplace/apps", createBody());
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ app_name: "zio-uid-1", app_type: "general" });
    expect(created.json.client_secret).toEqual(expect.any(String));
    expect(created.json.secret_token).toEqual(expect.any(String));
    const redirect = zoom.installFromMarketplace(created.json.client_id, "admin@acme.example");
    expect(redirect).toMatch(/^https:\/\/app\.acme\.example\/organization\/integration\/zoom\/redirect\?code=/);
  });

  it("answers the impossible-code check with invalid_client for a wrong secret and with another error for the right one", async () => {
    const created = await api(zoom, await s2sToken(), "POST", "/marketplace/apps", createBody());
    const form = { grant_type: "authorization_code", code: "never-issued", redirect_uri: "https://app.acme.example/x" };
    expect((await tokenRequest(zoom, form, basic(created.json.client_id, "wrong"))).json.error).toBe("invalid_client");
    const right = await tokenRequest(zoom, form, basic(created.json.client_id, created.json.client_secret));
    expect(right.status).toBe(400);
    expect(right.json.error).not.toBe("invalid_client");
  });

  it("refuses a write without marketplace:write:app and a read without marketplace:read:app (4711)", async () => {
    zoom.marketplace.setServerToServerScopes(DEFAULT_S2S_APP.clientId, ["marketplace:read:app"]);
    const readOnly = await s2sToken();
    const refused = await api(zoom, readOnly, "POST", "/marketplace/apps", createBody());
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 4711 });
    expect(refused.json.message).toContain("marketplace:write:app");
    zoom.marketplace.setServerToServerScopes(DEFAULT_S2S_APP.clientId, ["marketplace:write:app"]);
    expect((await api(zoom, await s2sToken(), "GET", "/marketplace/apps")).json.message).toContain("marketplace:read:app");
  });

  it("refuses a manifest without a redirect URI, naming the field", async () => {
    const bad = structuredClone(manifest()) as unknown as { oauth_information: Record<string, unknown> };
    delete bad.oauth_information["production_redirect_uri"];
    const answer = await api(zoom, await s2sToken(), "POST", "/marketplace/apps", createBody(bad));
    expect(answer.json.code).toBe(300);
    expect(answer.json.errors.map((e: { field: string }) => e.field)).toContain("manifest.oauth_information.production_redirect_uri");
  });

  it("lists, reads, replaces and deletes the account's apps; a deleted app's client is refused", async () => {
    const token = await s2sToken();
    const created = (await api(zoom, token, "POST", "/marketplace/apps", createBody())).json;
    const list = await api(zoom, token, "GET", "/marketplace/apps?page_size=300");
    expect(list.json.apps.map((a: { app_name: string }) => a.app_name)).toEqual(["zio-uid-1"]);
    expect(JSON.stringify(list.json)).not.toContain(created.client_secret);
    expect(
      (await api(zoom, token, "PUT", `/marketplace/apps/${created.app_id}/manifest`, { manifest: manifest("acme2.example") })).status,
    ).toBe(204);
    const read = await api(zoom, token, "GET", `/marketplace/apps/${created.app_id}/manifest`);
    expect(read.json.manifest.oauth_information.production_redirect_uri).toBe(
      "https://app.acme2.example/organization/integration/zoom/redirect",
    );
    expect(zoom.installFromMarketplace(created.client_id, "admin@acme.example")).toMatch(/^https:\/\/app\.acme2\.example\//);
    expect((await api(zoom, token, "DELETE", `/marketplace/apps/${created.app_id}`)).status).toBe(204);
    expect((await api(zoom, token, "DELETE", `/marketplace/apps/${created.app_id}`)).status).toBe(404);
    const form = { grant_type: "authorization_code", code: "x", redirect_uri: "https://app.acme2.example/x" };
    expect((await tokenRequest(zoom, form, basic(created.client_id, created.client_secret))).json.error).toBe("invalid_client");
    expect(zoom.marketplace.apps().map((a) => a.deleted)).toEqual([true]);
  });

  it("refuses every Marketplace call once the S2S app is deactivated (124)", async () => {
    const token = await s2sToken();
    zoom.marketplace.setServerToServerActive(DEFAULT_S2S_APP.clientId, false);
    const answer = await api(zoom, token, "GET", "/marketplace/apps");
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe(124);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ZoomEmulator, ZoomAuthorizeError } from "./index.ts";
import { authorizeUrl, basic, codeOf, get, REDIRECT, startFrozen, tokenRequest } from "./test-kit.ts";

let zoom: ZoomEmulator;
beforeEach(async () => {
  zoom = await startFrozen();
});
afterEach(() => zoom.close());

function exchange(code: string, extra: Record<string, string> = {}) {
  return tokenRequest(zoom, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, ...extra });
}

describe("the consent page a browser clicks through", () => {
  it("shows a login form listing the users when no user is signed in", async () => {
    const page = await get(authorizeUrl(zoom));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain('<select name="login">');
    expect(page.text).toContain("admin@acme.example");
    expect(page.text).toContain('name="state" value="state-1"');
  });

  it("shows the app's scopes and an Approve button that posts the form for the signed-in user", async () => {
    const page = await get(`${authorizeUrl(zoom)}&login=admin%40acme.example`);
    expect(page.text).toContain("meeting:write:admin");
    expect(page.text).toMatch(/<form method="POST" action="\/oauth\/authorize">/);
    expect(page.text).toContain('id="approve"');
  });

  it("redirects the browser to the redirect_uri with a code and the state after Approve", async () => {
    const form = new URLSearchParams(new URL(authorizeUrl(zoom)).searchParams);
    form.set("login", "admin@acme.example");
    const approved = await get(`${zoom.url}/oauth/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("state-1");
    expect((await exchange(location.searchParams.get("code") ?? "")).status).toBe(200);
  });

  it.each([
    ["an unknown client_id", { clientId: "nobody" }, 4702],
    ["a redirect_uri that is not exactly the registered one", { redirectUri: `${REDIRECT}/` }, 4709],
  ])("shows an error page, not a redirect, for %s", async (_name, params, code) => {
    const page = await get(authorizeUrl(zoom, params));
    expect(page.status).toBe(400);
    expect(page.text).toContain(`Error code: ${code}`);
    expect(page.headers.get("location")).toBeNull();
  });

  it("refuses a scope parameter naming scopes the app does not have with 4711", async () => {
    const page = await get(`${authorizeUrl(zoom)}&scope=meeting:write:admin%20recording:read:admin`);
    expect(page.text).toContain("Error code: 4711");
  });
});

describe("programmatic approve", () => {
  it("returns the redirect with code and state, and a Marketplace install has no state", () => {
    const url = new URL(zoom.approve(authorizeUrl(zoom, { state: "abc" }), "admin@acme.example"));
    expect(url.searchParams.get("state")).toBe("abc");
    const installed = new URL(zoom.installFromMarketplace("acme-client", "admin@acme.example"));
    expect(installed.searchParams.get("code")).toBeTruthy();
    expect(installed.searchParams.has("state")).toBe(false);
  });

  it("lets only users of the owning account authorize an unpublished app", () => {
    expect(() => zoom.approve(authorizeUrl(zoom), "admin@globex.example")).toThrow(/only users of the account/);
  });

  it("lets a user of another account authorize a published app", async () => {
    await zoom.close();
    const seed = { ...zoom.seed, apps: zoom.seed.apps.map((app) => ({ ...app, published: true })) };
    zoom = await startFrozen({ seed });
    expect(codeOf(zoom.approve(authorizeUrl(zoom), "admin@globex.example"))).toBeTruthy();
  });

  it("refuses a member consenting to admin scopes, and a disabled app with 4717 / 4738", () => {
    expect(() => zoom.approve(authorizeUrl(zoom), "member@acme.example")).toThrow(/admin/);
    zoom.setAppStatus("acme-client", "disabledByZoom");
    expect(() => zoom.approve(authorizeUrl(zoom), "admin@acme.example")).toThrow(expect.objectContaining({ code: 4717 }));
    zoom.setAppStatus("acme-client", "disabledByAdmin");
    expect(() => zoom.approve(authorizeUrl(zoom), "admin@acme.example")).toThrow(ZoomAuthorizeError);
  });
});

describe("authorization codes", () => {
  it("are single use: the second exchange of a code is refused as invalid (4734)", async () => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    expect((await exchange(code)).status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ reason: "Invalid authorization code", error: "invalid_request" });
  });

  it("expire after 5 minutes (4733)", async () => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    zoom.clock.advance(5 * 60_000);
    expect((await exchange(code)).json).toEqual({ reason: "Authorization code is expired", error: "invalid_request" });
  });

  it("still work 1 ms before 5 minutes", async () => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    zoom.clock.advance(5 * 60_000 - 1);
    expect((await exchange(code)).status).toBe(200);
  });

  it("are exchanged only with the registered redirect_uri (4709)", async () => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    const reply = await tokenRequest(zoom, { grant_type: "authorization_code", code, redirect_uri: "https://app.acme.example/other" });
    expect(reply.json).toEqual({ reason: "Redirect URI mismatch.", error: "invalid_request" });
  });

  it("are not accepted from parameters in the query string instead of the form body", async () => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    const query = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    const reply = await get(`${zoom.url}/oauth/token?${query}`, { method: "POST", headers: { authorization: basic() } });
    expect(reply.json).toEqual({ reason: "Unsupported grant type", error: "unsupported_grant_type" });
  });
});

describe("PKCE", () => {
  const verifier = "a-verifier-that-is-long-enough-0123456789-abcdefghij";

  it.each(["S256", "plain"] as const)("accepts the right verifier with %s", async (method) => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom, { verifier, method }), "admin@acme.example"));
    expect((await exchange(code, { code_verifier: verifier })).status).toBe(200);
  });

  it.each([
    ["a wrong verifier", { code_verifier: "wrong" }],
    ["no verifier", {}],
  ])("refuses %s", async (_name, extra) => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom, { verifier }), "admin@acme.example"));
    expect((await exchange(code, extra)).json).toEqual({ reason: "Invalid code_verifier", error: "invalid_request" });
  });

  it("treats a challenge without a method as plain, as Zoom does", async () => {
    const url = `${authorizeUrl(zoom)}&code_challenge=${verifier}`;
    const code = codeOf(zoom.approve(url, "admin@acme.example"));
    expect((await exchange(code, { code_verifier: verifier })).status).toBe(200);
  });
});

describe("client authentication on the token endpoint", () => {
  it.each([
    ["a wrong secret", basic("acme-client", "nope")],
    ["an unknown client", basic("nobody", "acme-secret")],
    ["no Authorization header", ""],
    ["credentials sent as Bearer", "Bearer acme-client:acme-secret"],
  ])("answers invalid_client for %s", async (_name, auth) => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    const reply = await tokenRequest(zoom, { grant_type: "authorization_code", code, redirect_uri: REDIRECT }, auth);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ reason: "Invalid client_id or client_secret", error: "invalid_client" });
  });

  it("refuses a code issued to another client of the same account", async () => {
    const code = codeOf(zoom.approve(authorizeUrl(zoom), "admin@acme.example"));
    const auth = basic("acme-granular-client", "acme-granular-secret");
    const reply = await tokenRequest(zoom, { grant_type: "authorization_code", code, redirect_uri: REDIRECT }, auth);
    expect(reply.json.reason).toBe("Invalid authorization code");
  });
});

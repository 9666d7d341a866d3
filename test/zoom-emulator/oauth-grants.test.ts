import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLASSIC_SCOPES, GRANULAR_SCOPES, type ZoomEmulator } from "./index.ts";
import { api, basic, connect, refresh, startFrozen, tokenRequest } from "./test-kit.ts";

let zoom: ZoomEmulator;
beforeEach(async () => {
  zoom = await startFrozen();
});
afterEach(() => zoom.close());

const INVALID_GRANT = { reason: "Invalid Token!", error: "invalid_grant" };

describe("the token response", () => {
  it("carries every field, with the granted scopes and the emulator as api_url", async () => {
    const { body } = await connect(zoom);
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      refresh_token: expect.any(String),
      expires_in: 3599,
      scope: CLASSIC_SCOPES.join(" "),
      api_url: zoom.url,
    });
  });

  it("carries granular scopes for a granular app", async () => {
    const { body } = await connect(zoom, "admin@acme.example", "acme-granular-client");
    expect(body.scope.split(" ")).toEqual(GRANULAR_SCOPES);
  });

  it("names another api_url when one is configured", async () => {
    await zoom.close();
    zoom = await startFrozen({ apiUrl: "http://127.0.0.1:1" });
    expect((await connect(zoom)).body.api_url).toBe("http://127.0.0.1:1");
  });
});

describe("access tokens", () => {
  it("live one hour on the emulator clock, then answer 124 'expired'", async () => {
    const { access } = await connect(zoom);
    zoom.clock.advance(3_599_999);
    expect((await api(zoom, access, "GET", "/users/me")).status).toBe(200);
    zoom.clock.advance(1);
    const expired = await api(zoom, access, "GET", "/users/me");
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ code: 124, message: "Access token is expired." });
  });

  it("are refused in the query string, and unknown ones are 124 'invalid'", async () => {
    const { access } = await connect(zoom);
    const inQuery = await fetch(`${zoom.url}/v2/users/me?access_token=${access}`);
    expect(inQuery.status).toBe(401);
    expect(await inQuery.json()).toEqual({ code: 124, message: "Invalid access token." });
    expect((await api(zoom, "made-up", "GET", "/users/me")).json.code).toBe(124);
  });
});

describe("refresh tokens rotate", () => {
  it("return a new access and refresh token, and the old refresh token is dead at once", async () => {
    const first = await connect(zoom);
    const rotated = await refresh(zoom, first.refresh);
    expect(rotated.status).toBe(200);
    expect(rotated.json.refresh_token).not.toBe(first.refresh);
    expect((await api(zoom, rotated.json.access_token, "GET", "/users/me")).status).toBe(200);
    const reused = await refresh(zoom, first.refresh);
    expect(reused.status).toBe(400);
    expect(reused.json).toEqual(INVALID_GRANT);
    expect((await refresh(zoom, rotated.json.refresh_token)).status).toBe(200);
  });

  it("record refresh calls per grant and every reuse for assertions", async () => {
    const first = await connect(zoom);
    await refresh(zoom, first.refresh);
    await refresh(zoom, first.refresh);
    const seen = zoom.inspect();
    expect(seen.refreshCalls).toEqual({ "grant-1": 2 });
    expect(seen.reusedRefreshTokens).toEqual([{ grantId: "grant-1", at: zoom.clock.now() }]);
  });

  it("let two concurrent refreshes with one token succeed only once", async () => {
    const { refresh: token } = await connect(zoom);
    const answers = await Promise.all([refresh(zoom, token), refresh(zoom, token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
  });

  it("kill the whole grant on reuse when configured to", async () => {
    await zoom.close();
    zoom = await startFrozen({ behaviour: { revokeGrantOnRefreshReuse: true } });
    const first = await connect(zoom);
    const rotated = await refresh(zoom, first.refresh);
    await refresh(zoom, first.refresh);
    expect((await refresh(zoom, rotated.json.refresh_token)).json).toEqual(INVALID_GRANT);
    expect((await api(zoom, rotated.json.access_token, "GET", "/users/me")).status).toBe(401);
  });

  it("lose the grant when a refresh response is lost: the rotation happened, the client kept the old token", async () => {
    const { refresh: token } = await connect(zoom);
    zoom.faults.inject("POST /oauth/token", { kind: "dropResponse" }, { times: 1 });
    await expect(refresh(zoom, token)).rejects.toThrow();
    expect((await refresh(zoom, token)).json).toEqual(INVALID_GRANT);
  });

  it("are refused for another client and expire after 90 days by default", async () => {
    const { refresh: token } = await connect(zoom);
    expect((await refresh(zoom, token, basic("acme-granular-client", "acme-granular-secret"))).json).toEqual(INVALID_GRANT);
    zoom.clock.advance(90 * 24 * 3_600_000);
    expect((await refresh(zoom, token)).json).toEqual(INVALID_GRANT);
  });

  it("keep the access tokens issued before a refresh valid until they expire", async () => {
    const first = await connect(zoom);
    await refresh(zoom, first.refresh);
    expect((await api(zoom, first.access, "GET", "/users/me")).status).toBe(200);
  });

  it("answer unsupported_grant_type for another grant type", async () => {
    const reply = await tokenRequest(zoom, { grant_type: "client_credentials" });
    expect(reply.json).toEqual({ reason: "Unsupported grant type", error: "unsupported_grant_type" });
  });
});

describe("the end of a grant", () => {
  it("comes with a new consent for the same app and account (4741)", async () => {
    const old = await connect(zoom);
    const fresh = await connect(zoom, "owner@acme.example");
    const reply = await refresh(zoom, old.refresh);
    expect(reply.json).toEqual({ reason: "Invalid Token! Only the last issued token is valid (4741)", error: "invalid_grant" });
    expect((await api(zoom, old.access, "GET", "/users/me")).json.code).toBe(124);
    expect((await refresh(zoom, fresh.refresh)).status).toBe(200);
    expect(zoom.inspect().grants.map((g) => g.ended)).toEqual(["superseded", undefined]);
  });

  it("does not touch the grant of another app of the same account", async () => {
    const classic = await connect(zoom);
    await connect(zoom, "admin@acme.example", "acme-granular-client");
    expect((await refresh(zoom, classic.refresh)).status).toBe(200);
  });

  it("comes with /oauth/revoke of the access token, which answers success", async () => {
    const { access, refresh: token } = await connect(zoom);
    const headers = { authorization: basic(), "content-type": "application/x-www-form-urlencoded" };
    const revoked = await fetch(`${zoom.url}/oauth/revoke`, { method: "POST", headers, body: new URLSearchParams({ token: access }) });
    expect(await revoked.json()).toEqual({ status: "success" });
    expect((await api(zoom, access, "GET", "/users/me")).status).toBe(401);
    expect((await refresh(zoom, token)).json).toEqual(INVALID_GRANT);
  });

  it("comes with an admin revocation, which sends app_deauthorized to the app's event URL", async () => {
    const received: string[] = [];
    const target = createServer((req, res) => {
      req.on("data", (chunk: Buffer) => received.push(chunk.toString()));
      req.on("end", () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const eventUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/zoom/webhook`;
    await zoom.close();
    zoom = await startFrozen({ seed: withEventUrl(eventUrl) });
    const { refresh: token } = await connect(zoom);
    zoom.revokeGrant("grant-1");
    await zoom.webhooks.idle();
    target.close();
    expect((await refresh(zoom, token)).json).toEqual(INVALID_GRANT);
    expect(JSON.parse(received.join("")).event).toBe("app_deauthorized");
  });

  it("comes with a disabled app: 4717 invalid_client, 4738 invalid_grant, and 124 on the API", async () => {
    const { access, refresh: token } = await connect(zoom);
    zoom.setAppStatus("acme-client", "disabledByZoom");
    expect((await refresh(zoom, token)).json).toEqual({ reason: "The app has been disabled (4717)", error: "invalid_client" });
    expect((await api(zoom, access, "GET", "/users/me")).json.code).toBe(124);
    zoom.setAppStatus("acme-client", "disabledByAdmin");
    expect((await refresh(zoom, token)).json.reason).toContain("4738");
    zoom.setAppStatus("acme-client", "enabled");
    expect((await refresh(zoom, token)).status).toBe(200);
  });

  it("refuses the old client secret at once after the Marketplace regenerates it, and keeps the grant", async () => {
    const { refresh: token } = await connect(zoom);
    zoom.regenerateClientSecret("acme-client", "acme-secret-2");
    expect((await refresh(zoom, token)).json.error).toBe("invalid_client");
    expect((await refresh(zoom, token, basic("acme-client", "acme-secret-2"))).status).toBe(200);
  });

  it("comes with a deleted token owner (4735)", async () => {
    const { access, refresh: token } = await connect(zoom);
    zoom.deleteUser("acme-admin");
    expect((await refresh(zoom, token)).json).toEqual({ reason: "The token owner has been deleted (4735)", error: "invalid_grant" });
    expect((await api(zoom, access, "GET", "/users/me")).json.code).toBe(124);
  });
});

function withEventUrl(eventUrl: string) {
  return { ...zoom.seed, apps: zoom.seed.apps.map((app) => ({ ...app, eventUrl })) };
}

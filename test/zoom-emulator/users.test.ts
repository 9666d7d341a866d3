import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SeedInput, ZoomEmulator } from "./index.ts";
import { api, connect, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;

function manyUsers(count: number): SeedInput {
  const users = Array.from({ length: count }, (_, i) => ({
    id: `u${i}`,
    email: `u${i}@acme.example`,
    role: i === 0 ? ("admin" as const) : ("member" as const),
  }));
  return { accounts: [{ id: "acme-account", users }], apps: [{ ...appOf(), accountId: "acme-account" }] };
}

function appOf() {
  return {
    clientId: "acme-client",
    clientSecret: "acme-secret",
    secretToken: "s",
    redirectUrl: "https://app.acme.example/organization/integration/zoom/redirect",
    scopes: ["user:read:admin"],
  };
}

beforeEach(async () => {
  zoom = await startFrozen();
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

describe("users", () => {
  it("GET /users/me answers the token owner", async () => {
    const reply = await api(zoom, token, "GET", "/users/me");
    expect(reply.json).toMatchObject({
      id: "acme-admin",
      email: "admin@acme.example",
      account_id: "acme-account",
      timezone: "Europe/Berlin",
    });
  });

  it.each(["acme-member", "member@acme.example", "MEMBER@acme.example"])("GET /users/%s answers that user", async (key) => {
    expect((await api(zoom, token, "GET", `/users/${key}`)).json.id).toBe("acme-member");
  });

  it("answers 1001 (404) for an unknown or deleted user and 1010 for another account's user", async () => {
    expect((await api(zoom, token, "GET", "/users/ghost@acme.example")).json.code).toBe(1001);
    zoom.deleteUser("acme-member");
    const deleted = await api(zoom, token, "GET", "/users/acme-member");
    expect([deleted.status, deleted.json.code]).toEqual([404, 1001]);
    expect((await api(zoom, token, "GET", "/users/admin@globex.example")).json.code).toBe(1010);
  });

  it("lists the account's active users with page tokens, and a page token dies after 15 minutes", async () => {
    await zoom.close();
    zoom = await startFrozen({ seed: manyUsers(5) });
    token = (await connect(zoom, "u0@acme.example")).access;
    const first = await api(zoom, token, "GET", "/users?page_size=2");
    expect(first.json).toMatchObject({ page_size: 2, total_records: 5, page_count: 3, page_number: 1 });
    expect(first.json.users.map((u: { id: string }) => u.id)).toEqual(["u0", "u1"]);
    const second = await api(zoom, token, "GET", `/users?page_size=2&next_page_token=${first.json.next_page_token}`);
    expect(second.json.users.map((u: { id: string }) => u.id)).toEqual(["u2", "u3"]);
    zoom.clock.advance(15 * 60_000);
    const stale = await api(zoom, token, "GET", `/users?page_size=2&next_page_token=${second.json.next_page_token}`);
    expect([stale.status, stale.json.code]).toEqual([400, 300]);
  });

  it("ends the listing with an empty next_page_token and caps page_size at 300", async () => {
    const reply = await api(zoom, token, "GET", "/users?page_size=1000");
    expect(reply.json).toMatchObject({ page_size: 300, total_records: 3, next_page_token: "" });
  });

  it("answers 4711 naming the granular list scope when a granular app lacks it", async () => {
    const apps = zoom.seed.apps.map((app) => ({ ...app, scopes: app.scopes.filter((s) => s !== "user:read:list_users:admin") }));
    await zoom.close();
    zoom = await startFrozen({ seed: { ...zoom.seed, apps } });
    token = (await connect(zoom, "admin@acme.example", "acme-granular-client")).access;
    const reply = await api(zoom, token, "GET", "/users");
    expect(reply.json).toEqual({ code: 4711, message: "Invalid access token, does not contain scopes:[user:read:list_users:admin]." });
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { api, connect, get, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  zoom = await startFrozen();
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

async function created(body: Record<string, unknown> = MEETING, user = "me"): Promise<string> {
  const reply = await api(zoom, token, "POST", `/users/${user}/meetings`, body);
  expect(reply.status).toBe(201);
  return rawId(reply.text);
}

describe("creating a meeting", () => {
  it("answers 201 with every documented field", async () => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", { ...MEETING, agenda: "Talk", settings: { waiting_room: true } });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.json)).toEqual(
      expect.arrayContaining(["id", "uuid", "host_id", "host_email", "topic", "type", "start_time", "duration", "timezone", "agenda"]),
    );
    expect(Object.keys(reply.json)).toEqual(expect.arrayContaining(["join_url", "start_url", "password", "settings", "created_at"]));
    expect(reply.json).toMatchObject({
      host_id: "acme-admin",
      host_email: "admin@acme.example",
      topic: "Consultation",
      type: 2,
      agenda: "Talk",
    });
    expect(reply.json.settings).toMatchObject({ waiting_room: true, join_before_host: false });
    expect(reply.json.created_at).toBe("2025-03-10T09:00:00Z");
  });

  it("writes an id above 2^53 as a raw JSON number, which JSON.parse silently rounds", async () => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", MEETING);
    const digits = rawId(reply.text);
    expect(BigInt(digits) > 2n ** 53n).toBe(true);
    expect(reply.text).toMatch(/^\{"id":\d+,/);
    expect(String(reply.json.id)).not.toBe(digits);
  });

  it("creates for a user given by id or e-mail, and counts meetings per user", async () => {
    await created(MEETING, "acme-member");
    await created(MEETING, "member@acme.example");
    expect(zoom.inspect().meetingsPerUser).toEqual({ "acme-member": 2 });
  });

  it("answers 1001 for an unknown user and 1010 for a user of another account", async () => {
    const unknown = await api(zoom, token, "POST", "/users/nobody@acme.example/meetings", MEETING);
    expect([unknown.status, unknown.json.code]).toEqual([404, 1001]);
    const foreign = await api(zoom, token, "POST", "/users/globex-admin/meetings", MEETING);
    expect(foreign.json.code).toBe(1010);
  });

  it("leaves out the password on an account without meeting passwords", async () => {
    await zoom.close();
    zoom = await startFrozen({ seed: { ...zoom.seed, accounts: zoom.seed.accounts.map((a) => ({ ...a, meetingPasswords: false })) } });
    token = (await connect(zoom)).access;
    const reply = await api(zoom, token, "POST", "/users/me/meetings", MEETING);
    expect(reply.json.password).toBeUndefined();
    expect(reply.json.join_url).not.toContain("pwd=");
  });
});

describe("Zoom's time semantics", () => {
  it.each([
    [
      "a time with Z is UTC, whatever the timezone",
      { start_time: "2025-07-01T10:00:00Z", timezone: "Asia/Tokyo" },
      "2025-07-01T10:00:00Z",
      "Asia/Tokyo",
    ],
    [
      "a time without Z is local time in the timezone",
      { start_time: "2025-07-01T10:00:00", timezone: "Asia/Tokyo" },
      "2025-07-01T01:00:00Z",
      "Asia/Tokyo",
    ],
    [
      "local time follows daylight saving time",
      { start_time: "2025-01-15T10:00:00", timezone: "Europe/Berlin" },
      "2025-01-15T09:00:00Z",
      "Europe/Berlin",
    ],
    [
      "without Z and timezone, the account's zone (Europe/Berlin)",
      { start_time: "2025-07-01T10:00:00" },
      "2025-07-01T08:00:00Z",
      "Europe/Berlin",
    ],
    [
      "a local time in a DST gap moves forward",
      { start_time: "2025-03-30T02:30:00", timezone: "Europe/Berlin" },
      "2025-03-30T01:30:00Z",
      "Europe/Berlin",
    ],
  ])("reads %s", async (_name, times, utc, zone) => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", { topic: "t", type: 2, duration: 30, ...times });
    expect([reply.json.start_time, reply.json.timezone]).toEqual([utc, zone]);
  });
});

describe("validation (code 300)", () => {
  it.each([
    ["a topic over 200 characters", { topic: "x".repeat(201) }, "topic"],
    ["an agenda over 2000 characters", { agenda: "x".repeat(2001) }, "agenda"],
    ["a password over 10 characters", { password: "a".repeat(11) }, "password"],
    ["a password with a forbidden character", { password: "abc!" }, "password"],
    ["an unknown meeting type", { type: 5 }, "type"],
    ["a start_time with an offset", { start_time: "2025-03-12T10:00:00+02:00" }, "start_time"],
    ["an impossible date", { start_time: "2025-02-30T10:00:00Z" }, "start_time"],
    ["an unknown timezone", { timezone: "Mars/Olympus" }, "timezone"],
    ["a fractional duration", { duration: 30.5 }, "duration"],
  ])("refuses %s and names the field", async (_name, change, field) => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", { ...MEETING, ...change });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: 300, message: "Validation Failed." });
    expect(reply.json.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("refuses a body that is not JSON", async () => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", "{topic:");
    expect(reply.json).toEqual({ code: 300, message: "Request Body should be a valid JSON object." });
  });
});

describe("reading, updating and deleting a meeting", () => {
  it("GET answers 200 with the meeting, its id still raw digits", async () => {
    const id = await created();
    const reply = await api(zoom, token, "GET", `/meetings/${id}`);
    expect(reply.status).toBe(200);
    expect(rawId(reply.text)).toBe(id);
  });

  it("PATCH answers 204 with no body, and GET shows the change", async () => {
    const id = await created();
    const patched = await api(zoom, token, "PATCH", `/meetings/${id}`, {
      topic: "Moved",
      start_time: "2025-03-13T11:00:00",
      settings: { mute_upon_entry: true },
    });
    expect([patched.status, patched.text]).toEqual([204, ""]);
    const reply = await api(zoom, token, "GET", `/meetings/${id}`);
    expect(reply.json).toMatchObject({ topic: "Moved", start_time: "2025-03-13T11:00:00Z", duration: 30 });
    expect(reply.json.settings).toMatchObject({ mute_upon_entry: true, waiting_room: false });
  });

  it("PATCH reads a time without Z in the meeting's own timezone", async () => {
    const id = await created({ ...MEETING, timezone: "America/New_York" });
    await api(zoom, token, "PATCH", `/meetings/${id}`, { start_time: "2025-03-13T11:00:00" });
    expect((await api(zoom, token, "GET", `/meetings/${id}`)).json.start_time).toBe("2025-03-13T15:00:00Z");
  });

  it("DELETE answers 204, then the meeting is gone (3001, 404) for GET, PATCH and DELETE", async () => {
    const id = await created();
    expect((await api(zoom, token, "DELETE", `/meetings/${id}`)).status).toBe(204);
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const reply = await api(zoom, token, method, `/meetings/${id}`, method === "PATCH" ? { topic: "x" } : undefined);
      expect([reply.status, reply.json.code]).toEqual([404, 3001]);
    }
    expect(zoom.inspect().meetingsPerUser).toEqual({});
  });

  it("DELETE refuses a meeting in progress (3002) and one that has ended (3007); an ended one is not found (3001)", async () => {
    const running = await created();
    zoom.startMeeting(running);
    expect((await api(zoom, token, "DELETE", `/meetings/${running}`)).json.code).toBe(3002);
    const ended = await created();
    zoom.endMeeting(ended);
    expect((await api(zoom, token, "DELETE", `/meetings/${ended}`)).json.code).toBe(3007);
    expect((await api(zoom, token, "GET", `/meetings/${ended}`)).json.code).toBe(3001);
  });

  it("treats a meeting of another account as not found, and a malformed id as a validation error", async () => {
    const id = await created();
    const globex = await connectGlobex();
    expect((await api(zoom, globex, "GET", `/meetings/${id}`)).json.code).toBe(3001);
    expect((await api(zoom, token, "GET", "/meetings/abc")).json.code).toBe(300);
  });
});

describe("the start_url", () => {
  it("works for 2 hours, starts the meeting, and a GET hands out a fresh one", async () => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", MEETING);
    zoom.clock.advance(2 * 3_600_000);
    expect((await get(reply.json.start_url)).status).toBe(401);
    token = (await connect(zoom)).access; // NB: the 1-hour access token has expired too.
    const fresh = await api(zoom, token, "GET", `/meetings/${rawId(reply.text)}`);
    expect(fresh.json.start_url).not.toBe(reply.json.start_url);
    const forged = fresh.json.start_url.replace("zak=", "zak=zz");
    expect((await get(forged)).status).toBe(401);
    expect((await get(fresh.json.start_url)).status).toBe(200);
    expect(zoom.inspect().meetings[0]?.status).toBe("started");
  });
});

describe("scopes", () => {
  it("answers 4711 naming the granular delete scope when a granular app lacks it", async () => {
    const apps = zoom.seed.apps.map((app) => ({ ...app, scopes: app.scopes.filter((s) => s !== "meeting:delete:meeting:admin") }));
    await zoom.close();
    zoom = await startFrozen({ seed: { ...zoom.seed, apps } });
    token = (await connect(zoom, "admin@acme.example", "acme-granular-client")).access;
    const id = await created();
    const reply = await api(zoom, token, "DELETE", `/meetings/${id}`);
    expect(reply.status).toBe(400);
    expect(reply.json.code).toBe(4711);
    expect(reply.json.message).toContain("meeting:delete:meeting:admin");
    expect(reply.json.message).not.toContain("meeting:write:admin");
  });

  it("lets own-user scopes act on the token owner's meetings only (3003 otherwise)", async () => {
    await zoom.close();
    zoom = await startFrozen({ seed: userScopedSeed() });
    const admin = (await connect(zoom)).access;
    token = (await connect(zoom, "member@acme.example", "member-client", "member-secret")).access;
    expect((await api(zoom, token, "POST", "/users/acme-admin/meetings", MEETING)).json.code).toBe(4711);
    const own = await created();
    expect((await api(zoom, token, "GET", `/meetings/${own}`)).status).toBe(200);
    const other = rawId((await api(zoom, admin, "POST", "/users/me/meetings", MEETING)).text);
    expect((await api(zoom, token, "DELETE", `/meetings/${other}`)).json.code).toBe(3003);
  });
});

function userScopedSeed() {
  const memberApp = {
    ...zoom.seed.apps[0]!,
    clientId: "member-client",
    clientSecret: "member-secret",
    scopes: ["meeting:read", "meeting:write", "user:read"],
  };
  return { ...zoom.seed, apps: [...zoom.seed.apps, memberApp] };
}

async function connectGlobex(): Promise<string> {
  return (await connect(zoom, "admin@globex.example", "globex-client")).access;
}

describe("listing a host's meetings", () => {
  it("lists upcoming meetings with raw int64 ids and leaves out deleted and ended ones", async () => {
    const kept = await created();
    const gone = await created();
    const ended = await created();
    await api(zoom, token, "DELETE", `/meetings/${gone}`);
    zoom.endMeeting(ended);
    const reply = await api(zoom, token, "GET", "/users/me/meetings?type=upcoming&page_size=300");
    expect(reply.status).toBe(200);
    expect([...reply.text.matchAll(/"id":(\d+)/g)].map((m) => m[1])).toEqual([kept]);
    expect(reply.json.meetings[0]).toMatchObject({
      topic: "Consultation",
      start_time: "2025-03-12T10:00:00Z",
      duration: 30,
      timezone: "UTC",
    });
  });

  it("keeps the meetings whose start falls on the days from..to (inclusive, read in timezone)", async () => {
    const late = await created({ ...MEETING, start_time: "2025-03-12T23:30:00Z" });
    const next = await created({ ...MEETING, start_time: "2025-03-13T10:00:00Z" });
    await created({ ...MEETING, start_time: "2025-03-20T10:00:00Z" });
    const ids = async (query: string) => {
      const reply = await api(zoom, token, "GET", `/users/me/meetings?type=scheduled&${query}`);
      expect(reply.status).toBe(200);
      return [...reply.text.matchAll(/"id":(\d+)/g)].map((m) => m[1]);
    };
    expect(await ids("from=2025-03-12&to=2025-03-13")).toEqual([late, next]);
    expect(await ids("from=2025-03-12&to=2025-03-12")).toEqual([late]);
    // 23:30 UTC is already the 13th in Berlin
    expect(await ids("from=2025-03-13&to=2025-03-13&timezone=Europe/Berlin")).toEqual([late, next]);
    const bad = await api(zoom, token, "GET", "/users/me/meetings?type=scheduled&from=12.03.2025");
    expect([bad.status, bad.json.code]).toEqual([400, 300]);
  });
});

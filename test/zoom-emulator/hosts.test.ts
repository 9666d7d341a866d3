import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { api, connect, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  zoom = await startFrozen();
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

describe("users as hosts", () => {
  it("GET /users/{id} reports the licence type and status of each kind of user", async () => {
    zoom.seedUser({ id: "basic", type: 1 });
    zoom.seedUser({ id: "gone", status: "inactive" });
    zoom.seedUser({ id: "invited", email: "invited@acme.example", status: "pending" });
    const answers = await Promise.all(
      ["acme-member", "basic", "gone", "invited@acme.example"].map((u) => api(zoom, token, "GET", `/users/${u}`)),
    );
    expect(answers.map((a) => [a.json.id, a.json.type, a.json.status])).toEqual([
      ["acme-member", 2, "active"],
      ["basic", 1, "active"],
      ["gone", 2, "inactive"],
      ["invited", 2, "pending"],
    ]);
  });

  it("lists active users by default and the others when asked by status", async () => {
    zoom.seedUser({ id: "gone", status: "inactive" });
    const active = await api(zoom, token, "GET", "/users");
    const inactive = await api(zoom, token, "GET", "/users?status=inactive");
    expect(active.json.users.map((u: { id: string }) => u.id)).not.toContain("gone");
    expect(inactive.json.users.map((u: { id: string }) => u.id)).toEqual(["gone"]);
    expect((await api(zoom, token, "GET", "/users?status=deleted")).json.code).toBe(300);
  });

  it("answers each user's passcode settings in Zoom's shape", async () => {
    zoom.seedUser({ id: "strict", passcode: { defaultPassword: "246810", requirement: { length: 6, only_allow_numeric: true } } });
    const reply = await api(zoom, token, "GET", "/users/strict/settings");
    expect(reply.status).toBe(200);
    expect(reply.json.schedule_meeting).toMatchObject({
      require_password_for_scheduling_new_meetings: true,
      default_password_for_scheduled_meetings: "246810",
    });
    expect(reply.json.meeting_security.meeting_password_requirement).toMatchObject({
      length: 6,
      only_allow_numeric: true,
      have_letter: false,
    });
    const other = await api(zoom, token, "GET", "/users/acme-member/settings");
    expect(other.json.schedule_meeting.default_password_for_scheduled_meetings).toBeUndefined();
  });
});

describe("who may host a meeting", () => {
  it("refuses an inactive host with 3161 and a pending one with 1001", async () => {
    zoom.seedUser({ id: "gone", status: "inactive" });
    zoom.seedUser({ id: "invited", status: "pending" });
    const inactive = await api(zoom, token, "POST", "/users/gone/meetings", MEETING);
    const pending = await api(zoom, token, "POST", "/users/invited/meetings", MEETING);
    expect([inactive.status, inactive.json.code]).toEqual([400, 3161]);
    expect([pending.status, pending.json.code]).toEqual([404, 1001]);
    expect(zoom.inspect().meetings).toEqual([]);
  });

  it("lets a basic user host and reports the 40-minute limit through inspect()", async () => {
    zoom.seedUser({ id: "basic", type: 1 });
    await api(zoom, token, "POST", "/users/basic/meetings", MEETING);
    await api(zoom, token, "POST", "/users/acme-member/meetings", MEETING);
    const limits = Object.fromEntries(zoom.inspect().meetings.map((m) => [m.hostId, m.timeLimitMinutes]));
    expect(limits).toEqual({ basic: 40, "acme-member": undefined });
  });

  it("makes the schedule_for user the host on create, and moves the meeting on PATCH", async () => {
    const created = await api(zoom, token, "POST", "/users/me/meetings", { ...MEETING, schedule_for: "member@acme.example" });
    expect(created.json.host_id).toBe("acme-member");
    const id = rawId(created.text);
    expect((await api(zoom, token, "PATCH", `/meetings/${id}`, { schedule_for: "acme-owner" })).status).toBe(204);
    expect((await api(zoom, token, "GET", `/meetings/${id}`)).json).toMatchObject({
      host_id: "acme-owner",
      host_email: "owner@acme.example",
    });
  });

  it("refuses to move a meeting to a host who cannot host", async () => {
    zoom.seedUser({ id: "gone", status: "inactive" });
    const id = rawId((await api(zoom, token, "POST", "/users/acme-member/meetings", MEETING)).text);
    const reply = await api(zoom, token, "PATCH", `/meetings/${id}`, { schedule_for: "gone" });
    expect(reply.json.code).toBe(3161);
    expect((await api(zoom, token, "GET", `/meetings/${id}`)).json.host_id).toBe("acme-member");
  });
});

describe("alternative hosts", () => {
  it("keeps licensed active users of the account, ;-separated", async () => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", {
      ...MEETING,
      settings: { alternative_hosts: "member@acme.example; owner@acme.example" },
    });
    expect(reply.json.settings.alternative_hosts).toBe("member@acme.example;owner@acme.example");
  });

  it.each([
    ["an unknown e-mail", "nobody@acme.example", 1114],
    ["a user of another account", "admin@globex.example", 1114],
    ["an inactive user", "gone@acme.example", 1114],
    ["a basic user", "basic@acme.example", 1115],
    ["a comma-separated list", "member@acme.example,owner@acme.example", 1114],
  ])("refuses %s", async (_name, list, code) => {
    zoom.seedUser({ id: "gone", email: "gone@acme.example", status: "inactive" });
    zoom.seedUser({ id: "basic", email: "basic@acme.example", type: 1 });
    const reply = await api(zoom, token, "POST", "/users/me/meetings", { ...MEETING, settings: { alternative_hosts: list } });
    expect([reply.status, reply.json.code]).toEqual([400, code]);
  });
});

describe("the daily cap of 100 creates and updates", () => {
  it("counts per host user, whichever token or app asks", async () => {
    const granular = (await connect(zoom, "owner@acme.example", "acme-granular-client")).access;
    // NB: one create per emulated second, so the per-second limit (20 medium) never answers instead.
    for (let i = 0; i < 100; i++) {
      zoom.clock.advance(1000);
      await api(zoom, i % 2 === 0 ? token : granular, "POST", "/users/acme-member/meetings", MEETING);
    }
    expect(zoom.dailyWritesLeft("member@acme.example")).toBe(0);
    const refused = await api(zoom, granular, "POST", "/users/acme-member/meetings", MEETING);
    expect([refused.status, refused.json.code]).toEqual([429, 429]);
    expect(refused.headers.get("x-ratelimit-type")).toBe("Daily-limit");
    const otherHost = await api(zoom, token, "POST", "/users/acme-owner/meetings", MEETING);
    expect(otherHost.status).toBe(201);
  });

  it("counts a recurring series as one create and an occurrence update as one update", async () => {
    const series = { ...MEETING, type: 8, recurrence: { type: 1, end_times: 10 } };
    const created = await api(zoom, token, "POST", "/users/acme-member/meetings", series);
    const [first] = created.json.occurrences;
    await api(zoom, token, "PATCH", `/meetings/${rawId(created.text)}?occurrence_id=${first.occurrence_id}`, { duration: 45 });
    expect(zoom.dailyWritesLeft("acme-member")).toBe(98);
  });
});

describe("signing in", () => {
  it("an inactive or pending user cannot consent to the app", async () => {
    zoom.seedUser({ id: "gone", email: "gone@acme.example", role: "admin", status: "inactive" });
    zoom.seedUser({ id: "invited", email: "invited@acme.example", role: "admin", status: "pending" });
    await expect(connect(zoom, "gone@acme.example")).rejects.toThrow(/inactive/);
    await expect(connect(zoom, "invited@acme.example")).rejects.toThrow(/pending/);
  });
});

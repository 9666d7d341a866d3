import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { failureOf, startTestService, TEST_BOOKING, type TestService } from "../../test/support/meetings-support.ts";
import { ErrorCode } from "../errors.ts";
import { satisfies } from "../hosts/passcode.ts";

let zoom: ZoomEmulator;
let service: TestService;
beforeEach(async () => {
  zoom = await startZoomEmulator({ clock: { frozenAt: "2025-09-01T08:00:00Z" } });
  service = await startTestService(zoom);
});
afterEach(async () => {
  await service.close();
  await zoom.close();
});

const BOOKING = TEST_BOOKING;

describe("hosts", () => {
  it("hosts each booking as the staff member it names, so their daily cap is spent, not the admin's", async () => {
    const staff = zoom.seedUser({ email: "staff@acme.example" });
    const adminLeft = zoom.dailyWritesLeft("admin@acme.example");
    const meeting = await service.client.createMeeting({ ...BOOKING, host: "staff@acme.example" });
    expect(meeting).toMatchObject({ hostId: staff.id, hostEmail: "staff@acme.example" });
    expect(zoom.inspect().meetings[0]?.hostId).toBe(staff.id);
    expect(zoom.dailyWritesLeft("staff@acme.example")).toBe(99);
    expect(zoom.dailyWritesLeft("admin@acme.example")).toBe(adminLeft);
  });

  const refusals = [
    { name: "a basic (unlicensed) user", user: { type: 1 as const }, reason: "basic" },
    { name: "a deactivated user", user: { status: "inactive" as const }, reason: "deactivated" },
    { name: "a user who has not accepted the invitation", user: { status: "pending" as const }, reason: "pending" },
  ];
  for (const c of refusals)
    it(`refuses ${c.name} as host with HOST_CANNOT_HOST (${c.reason}) before creating anything`, async () => {
      zoom.seedUser({ email: "host@acme.example", ...c.user });
      const error = await failureOf(service.client.createMeeting({ ...BOOKING, host: "host@acme.example" }));
      expect([error.status, error.code]).toEqual([422, ErrorCode.HostCannotHost]);
      expect(error.details).toMatchObject({ field: "host", reason: expect.stringMatching(/basic|deactivated|pending|notInAccount/) });
      expect(zoom.inspect().meetings).toHaveLength(0);
    });

  it("refuses a host from another account or unknown to Zoom as notInAccount", async () => {
    for (const host of ["admin@globex.example", "nobody@acme.example"]) {
      const error = await failureOf(service.client.createMeeting({ ...BOOKING, host }));
      expect([error.code, error.details?.reason]).toEqual([ErrorCode.HostCannotHost, "notInAccount"]);
    }
    expect(zoom.inspect().meetings).toHaveLength(0);
  });

  it("a deactivated host keeps their earlier bookings replayable but gets no new one", async () => {
    zoom.seedUser({ email: "host@acme.example" });
    const first = await service.client.createMeeting({ ...BOOKING, host: "host@acme.example" });
    zoom.setUser("host@acme.example", { status: "inactive" });
    expect((await service.client.createMeeting({ ...BOOKING, host: "host@acme.example" })).id).toBe(first.id);
    const error = await failureOf(service.client.createMeeting({ ...BOOKING, bookingId: "b-2", host: "host@acme.example" }));
    expect(error.details).toMatchObject({ reason: "deactivated" });
  });

  it("follows the organization's host policy: admin by default, required refuses a booking without host", async () => {
    expect(await service.client.getSettings("acme")).toEqual({ hostPolicy: "admin" });
    const byAdmin = await service.client.createMeeting(BOOKING);
    expect(byAdmin.hostEmail).toBe("admin@acme.example");
    expect(await service.client.putSettings("acme", { hostPolicy: "required" })).toEqual({ hostPolicy: "required" });
    const error = await failureOf(service.client.createMeeting({ ...BOOKING, bookingId: "b-2" }));
    expect([error.status, error.details?.field]).toEqual([400, "body.host"]);
    const named = await service.client.createMeeting({ ...BOOKING, bookingId: "b-2", host: "member@acme.example" });
    expect(named.hostEmail).toBe("member@acme.example");
    const bad = await failureOf(service.client.putSettings("acme", { hostPolicy: "nobody" as never }));
    expect(bad.details?.field).toBe("body.hostPolicy");
  });

  it("moves a booking to another host: a new meeting for them, the old one deleted, retry-safe", async () => {
    zoom.seedUser({ email: "staff@acme.example" });
    const old = await service.client.createMeeting({ ...BOOKING, password: { policy: "custom", value: "keep-1" } });
    const change = { organizationId: "acme", host: "staff@acme.example" };
    const moved = await service.client.updateMeeting(old.id, change);
    expect(moved.id).not.toBe(old.id);
    expect(moved).toMatchObject({ hostEmail: "staff@acme.example", startInstant: old.startInstant, topic: old.topic, password: "keep-1" });
    const stored = zoom.inspect().meetings;
    expect(stored.find((m) => m.id === old.id)?.deleted).toBe(true);
    expect(stored.filter((m) => !m.deleted)).toHaveLength(1);
    expect((await failureOf(service.client.getMeeting("acme", old.id))).code).toBe(ErrorCode.MeetingGone);
  });

  it("does a full reschedule (new time and new host) as the README shows, with the new time in the host's new meeting", async () => {
    zoom.seedUser({ email: "lee@acme.example" });
    const old = await service.client.createMeeting(BOOKING);
    const moved = await service.client.updateMeeting(old.id, {
      organizationId: "acme",
      host: "lee@acme.example",
      startLocal: "2025-09-11T15:00",
      timeZone: "Europe/Berlin",
    });
    expect(moved).toMatchObject({ hostEmail: "lee@acme.example", startLocal: "2025-09-11T15:00:00", startInstant: "2025-09-11T13:00:00Z" });
    expect(
      zoom
        .inspect()
        .meetings.filter((m) => !m.deleted)
        .map((m) => m.id),
    ).toEqual([moved.id]);
  });

  it("sets alternative hosts and refuses an unlicensed one naming its position", async () => {
    zoom.seedUser({ email: "alt@acme.example" });
    zoom.seedUser({ email: "basic@acme.example", type: 1 });
    const meeting = await service.client.createMeeting({ ...BOOKING, alternativeHosts: ["alt@acme.example"] });
    expect(meeting.alternativeHosts).toEqual(["alt@acme.example"]);
    expect(zoom.inspect().meetings[0]?.alternativeHosts).toBe("alt@acme.example");
    const error = await failureOf(
      service.client.createMeeting({ ...BOOKING, bookingId: "b-2", alternativeHosts: ["alt@acme.example", "basic@acme.example"] }),
    );
    expect(error.details).toMatchObject({ field: "alternativeHosts.1", reason: "basic" });
  });

  it("lists users with their licence and whether they can host", async () => {
    zoom.seedUser({ email: "basic@acme.example", type: 1 });
    const page = await service.client.listUsers({ organizationId: "acme", pageSize: 300 });
    expect(page.users.find((u) => u.email === "admin@acme.example")).toMatchObject({
      licence: "licensed",
      canHost: true,
      cannotHostReason: null,
    });
    expect(page.users.find((u) => u.email === "basic@acme.example")).toMatchObject({
      licence: "basic",
      canHost: false,
      cannotHostReason: "basic",
    });
  });
});

describe("passcodes and security", () => {
  it("asks Zoom for the account's default passcode with accountDefault, so no waiting room is forced", async () => {
    const meeting = await service.client.createMeeting(BOOKING);
    const [stored] = zoom.inspect().meetings;
    expect(stored).toMatchObject({ passwordSource: "default", waitingRoomForced: false });
    expect(meeting.password).toMatch(/^\S+$/);
  });

  it("generates passcodes that meet each host's requirements (numeric-only, or letters, digits and specials)", async () => {
    zoom.seedUser({ email: "numeric@acme.example", passcode: { requirement: { length: 8, only_allow_numeric: true } } });
    const strictRule = {
      length: 10,
      have_letter: true,
      have_number: true,
      have_special_character: true,
      have_upper_and_lower_characters: true,
    };
    zoom.seedUser({ email: "strict@acme.example", passcode: { requirement: strictRule } });
    const numeric = await service.client.createMeeting({ ...BOOKING, host: "numeric@acme.example", password: { policy: "generated" } });
    expect(numeric.password).toMatch(/^\d{8,10}$/);
    const strict = await service.client.createMeeting({
      ...BOOKING,
      bookingId: "b-2",
      host: "strict@acme.example",
      password: { policy: "generated" },
    });
    const rules = { length: 10, letter: true, upperAndLower: true, number: true, special: true, numericOnly: false, maxRun: 0 };
    expect(satisfies(strict.password ?? "", rules)).toBe(true);
    expect(zoom.inspect().meetings.map((m) => m.passwordSource)).toEqual(["given", "given"]);
  });

  it("sends meetingAuthentication false unless asked, even where the host's default is true", async () => {
    zoom.seedUser({ email: "auth@acme.example", meetingAuthentication: true });
    const open = await service.client.createMeeting({ ...BOOKING, host: "auth@acme.example" });
    expect(open.settings.meetingAuthentication).toBe(false);
    const closed = await service.client.createMeeting({
      ...BOOKING,
      bookingId: "b-2",
      host: "auth@acme.example",
      settings: { meetingAuthentication: true },
    });
    expect(closed.settings.meetingAuthentication).toBe(true);
  });
});

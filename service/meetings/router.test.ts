import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { ErrorCode } from "../errors.ts";
import { failureOf, startTestService, type TestService, TEST_BOOKING } from "../../test/support/meetings-support.ts";

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

const failure = failureOf;

async function raw(path: string, init: RequestInit): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${service.url}${path}`, { ...init, headers: { "content-type": "application/json", ...init.headers } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("the meetings API on the happy path", () => {
  it("creates a meeting at the requested wall-clock hour and answers everything the booking app needs", async () => {
    const meeting = await service.client.createMeeting({ ...BOOKING, agenda: "Intro", settings: { waitingRoom: true, muteOnEntry: true } });
    const [stored] = zoom.inspect().meetings;
    expect(meeting.id).toBe(stored?.id);
    expect(BigInt(meeting.id) > 2n ** 53n).toBe(true);
    expect(meeting).toMatchObject({
      topic: "Consultation",
      agenda: "Intro",
      hostEmail: "admin@acme.example",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
    });
    expect(meeting).toMatchObject({ startInstant: "2025-09-10T08:00:00Z", startLocal: "2025-09-10T10:00:00", replayed: false });
    expect(meeting.settings).toMatchObject({ waitingRoom: true, muteOnEntry: true, joinBeforeHost: false });
    expect(meeting.joinUrl).toContain(`/j/${meeting.id}`);
    expect(meeting.startUrl).toContain(`/s/${meeting.id}`);
    expect(meeting.password).toMatch(/^\S+$/);
    expect(stored?.startTime).toBe("2025-09-10T08:00:00Z");
  });

  it("creates for another host by e-mail and with a custom or generated password", async () => {
    const custom = await service.client.createMeeting({
      ...BOOKING,
      host: "member@acme.example",
      password: { policy: "custom", value: "abc-123" },
    });
    expect(custom).toMatchObject({ hostEmail: "member@acme.example", password: "abc-123" });
    const generated = await service.client.createMeeting({ ...BOOKING, bookingId: "booking-2", password: { policy: "generated" } });
    expect(generated.password).toMatch(/^[a-zA-Z0-9]{10}$/);
  });

  it("reads a meeting back with a fresh start URL once the old one has expired", async () => {
    const created = await service.client.createMeeting(BOOKING);
    zoom.clock.advance(3 * 3_600_000);
    const read = await service.client.getMeeting("acme", created.id);
    expect(read).toMatchObject({ id: created.id, topic: BOOKING.topic, startInstant: created.startInstant, password: created.password });
    expect((await fetch(created.startUrl, { redirect: "manual" })).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(read.startUrl, { redirect: "manual" })).status).toBeLessThan(400);
  });

  it("reschedules and retitles, answering the updated meeting although Zoom answers 204", async () => {
    const created = await service.client.createMeeting(BOOKING);
    const updated = await service.client.updateMeeting(created.id, {
      organizationId: "acme",
      topic: "Follow-up",
      startLocal: "2025-09-11T15:30",
      timeZone: "America/New_York",
    });
    expect(updated).toMatchObject({
      id: created.id,
      topic: "Follow-up",
      startLocal: "2025-09-11T15:30:00",
      timeZone: "America/New_York",
      startInstant: "2025-09-11T19:30:00Z",
    });
    expect(zoom.inspect().meetings[0]?.startTime).toBe("2025-09-11T19:30:00Z");
  });

  it("cancels a meeting with 204, and again with 204 once it is gone", async () => {
    const created = await service.client.createMeeting(BOOKING);
    await service.client.deleteMeeting("acme", created.id);
    await service.client.deleteMeeting("acme", created.id);
    expect(zoom.inspect().meetings[0]?.deleted).toBe(true);
    expect((await failure(service.client.getMeeting("acme", created.id))).code).toBe(ErrorCode.MeetingGone);
  });

  it("refuses to cancel a meeting in progress or ended with 409 and the reason", async () => {
    const running = await service.client.createMeeting(BOOKING);
    const ended = await service.client.createMeeting({ ...BOOKING, bookingId: "booking-2" });
    zoom.startMeeting(running.id);
    zoom.endMeeting(ended.id);
    const inProgress = await failure(service.client.deleteMeeting("acme", running.id));
    expect([inProgress.status, inProgress.code]).toEqual([409, ErrorCode.MeetingInProgress]);
    const over = await failure(service.client.deleteMeeting("acme", ended.id));
    expect([over.status, over.code]).toEqual([409, ErrorCode.MeetingEnded]);
  });

  it("lists the account's users page by page", async () => {
    const first = await service.client.listUsers({ organizationId: "acme", pageSize: 2 });
    expect(first.users).toHaveLength(2);
    expect(first.nextPageToken).not.toBeNull();
    const second = await service.client.listUsers({ organizationId: "acme", pageSize: 2, pageToken: first.nextPageToken ?? "" });
    const emails = [...first.users, ...second.users].map((u) => u.email);
    expect(emails).toEqual(expect.arrayContaining(["owner@acme.example", "admin@acme.example", "member@acme.example"]));
    expect(first.totalRecords).toBe(3);
  });

  it("serves an OpenAPI 3.1 document that documents every error code", async () => {
    const document = await service.client.openApi();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths as object)).toEqual([
      "/v1/organizations/{organizationId}/zoom/authorization",
      "/v1/organizations/{organizationId}/zoom/connection",
      "/v1/organizations/{organizationId}/zoom/connection/verify",
      "/v1/organizations/{organizationId}/zoom/settings",
      "/v1/organizations/{organizationId}/zoom/hosts/{host}/busy",
      "/v1/meetings",
      "/v1/meetings/{id}",
      "/v1/users",
      "/v1/organizations/{organizationId}/zoom/events/endpoint",
      "/v1/organizations/{organizationId}/zoom/events/endpoint/secret",
      "/v1/events",
      "/zoom-integration/start",
      "/organization/integration/zoom/redirect",
      "/zoom-integration/webhook",
    ]);
    const description = String((document.info as { description: string }).description);
    for (const code of Object.values(ErrorCode)) expect(description).toContain(code);
  });
});

describe("validation", () => {
  const cases: { name: string; body: unknown; field: string; code?: string }[] = [
    { name: "an unknown top-level field", body: { ...BOOKING, colour: "red" }, field: "body.colour" },
    { name: "an unknown settings field", body: { ...BOOKING, settings: { waitingroom: true } }, field: "body.settings.waitingroom" },
    { name: "a wrongly typed nested field", body: { ...BOOKING, settings: { waitingRoom: "yes" } }, field: "body.settings.waitingRoom" },
    { name: "an unknown time zone", body: { ...BOOKING, timeZone: "Europe/Atlantis" }, field: "body.timeZone" },
    { name: "both a local start and an instant", body: { ...BOOKING, startInstant: "2025-09-10T08:00:00Z" }, field: "body.startInstant" },
    { name: "a start with an offset in startLocal", body: { ...BOOKING, startLocal: "2025-09-10T10:00+02:00" }, field: "body.startLocal" },
    { name: "a too long topic", body: { ...BOOKING, topic: "x".repeat(201) }, field: "body.topic" },
    { name: "a fractional duration", body: { ...BOOKING, durationMinutes: 1.5 }, field: "body.durationMinutes" },
    {
      name: "a custom password Zoom would refuse",
      body: { ...BOOKING, password: { policy: "custom", value: "no spaces!" } },
      field: "body.password.value",
    },
  ];
  for (const c of cases)
    it(`refuses ${c.name} with 400 naming ${c.field}`, async () => {
      const answer = await raw("/v1/meetings", { method: "POST", body: JSON.stringify(c.body) });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ code: "BAD_REQUEST", details: { field: c.field } });
      expect(zoom.inspect().meetings).toHaveLength(0);
    });

  it("refuses a body over the size limit with 413", async () => {
    const answer = await raw("/v1/meetings", { method: "POST", body: JSON.stringify({ ...BOOKING, agenda: "x".repeat(20_000) }) });
    expect([answer.status, answer.json.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it("refuses a meeting id that is not digits and an unknown query parameter", async () => {
    expect((await raw("/v1/meetings/abc?organizationId=acme", { method: "GET" })).json).toMatchObject({ details: { field: "path.id" } });
    expect((await raw("/v1/meetings/123?organizationId=acme&x=1", { method: "GET" })).json).toMatchObject({
      details: { field: "query.x" },
    });
  });

  it("refuses an update that changes nothing or moves the start without a time zone", async () => {
    const answer = await raw("/v1/meetings/123", {
      method: "PATCH",
      body: JSON.stringify({ organizationId: "acme", startLocal: "2025-09-11T10:00" }),
    });
    expect(answer.json).toMatchObject({ code: "BAD_REQUEST", details: { field: "body.timeZone" } });
    expect((await raw("/v1/meetings/123", { method: "PATCH", body: JSON.stringify({ organizationId: "acme" }) })).status).toBe(400);
  });
});

describe("time zones and daylight saving", () => {
  it("refuses 02:30 on Berlin's spring-forward day with AMBIGUOUS_TIME and the next valid time", async () => {
    const error = await failure(service.client.createMeeting({ ...BOOKING, startLocal: "2026-03-29T02:30:00" }));
    expect([error.status, error.code]).toEqual([400, ErrorCode.AmbiguousTime]);
    expect(error.details).toMatchObject({ field: "startLocal", reason: "nonexistent", laterValidLocal: "2026-03-29T03:30:00" });
    expect(zoom.inspect().meetings).toHaveLength(0);
  });

  it("handles Lord Howe's half-hour shift: the gap is refused, the hour after it lands exactly", async () => {
    const gap = await failure(
      service.client.createMeeting({ ...BOOKING, timeZone: "Australia/Lord_Howe", startLocal: "2025-10-05T02:15" }),
    );
    expect(gap.code).toBe(ErrorCode.AmbiguousTime);
    const after = await service.client.createMeeting({ ...BOOKING, timeZone: "Australia/Lord_Howe", startLocal: "2025-10-05T02:30" });
    expect(after.startInstant).toBe("2025-10-04T15:30:00Z");
    expect(zoom.inspect().meetings[0]?.startTime).toBe("2025-10-04T15:30:00Z");
  });

  it("keeps a meeting across the autumn fall-back at its start and its real duration", async () => {
    const meeting = await service.client.createMeeting({ ...BOOKING, startLocal: "2025-10-26T01:30", durationMinutes: 120 });
    expect(meeting).toMatchObject({ startInstant: "2025-10-25T23:30:00Z", startLocal: "2025-10-26T01:30:00", durationMinutes: 120 });
  });

  it("refuses a fall-back overlap time until the booking app picks the side with an offset", async () => {
    const error = await failure(service.client.createMeeting({ ...BOOKING, startLocal: "2025-10-26T02:30" }));
    expect(error.details).toMatchObject({ reason: "ambiguous", candidates: ["2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00"] });
    const later = await service.client.createMeeting({ ...BOOKING, startLocal: undefined, startInstant: "2025-10-26T02:30:00+01:00" });
    expect(later).toMatchObject({ startInstant: "2025-10-26T01:30:00Z", startLocal: "2025-10-26T02:30:00" });
    expect(zoom.inspect().meetings[0]?.startTime).toBe("2025-10-26T01:30:00Z");
  });
});

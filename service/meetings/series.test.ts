import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { failureOf, startTestService, TEST_BOOKING, type TestService } from "../../test/support/meetings-support.ts";
import { ErrorCode } from "../errors.ts";

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

/** Mondays and Wednesdays at 10:00 Berlin, 14 times: crosses the end of summer time on 2025-10-26. */
const WEEKLY = {
  ...TEST_BOOKING,
  startLocal: "2025-09-15T10:00",
  recurrence: { frequency: "weekly" as const, weekDays: ["monday" as const, "wednesday" as const], endAfterCount: 14 },
};

describe("recurring series", () => {
  it("creates a weekly series as one Zoom meeting whose occurrences stay at 10:00 local across the DST change", async () => {
    const left = zoom.dailyWritesLeft("admin@acme.example");
    const series = await service.client.createMeeting(WEEKLY);
    expect(series.type).toBe("recurring");
    expect(series.recurrence).toMatchObject({ frequency: "weekly", weekDays: ["monday", "wednesday"], endAfterCount: 14 });
    expect(series.occurrences).toHaveLength(14);
    expect(new Set(series.occurrences.map((o) => o.startLocal.slice(11)))).toEqual(new Set(["10:00:00"]));
    const instants = series.occurrences.map((o) => o.startInstant);
    expect(instants[0]).toBe("2025-09-15T08:00:00Z");
    expect(instants).toContain("2025-10-27T09:00:00Z");
    expect(zoom.dailyWritesLeft("admin@acme.example")).toBe(left - 1);
    expect(zoom.inspect().meetings).toHaveLength(1);
  });

  it("creates monthly series by day and by weekday, ending on a date", async () => {
    const byDay = await service.client.createMeeting({
      ...TEST_BOOKING,
      recurrence: { frequency: "monthly", monthDay: 10, endDate: "2025-12-31" },
    });
    expect(byDay.occurrences.map((o) => o.startLocal.slice(0, 10))).toEqual(["2025-09-10", "2025-10-10", "2025-11-10", "2025-12-10"]);
    const lastFriday = await service.client.createMeeting({
      ...TEST_BOOKING,
      bookingId: "b-2",
      startLocal: "2025-09-26T10:00",
      recurrence: { frequency: "monthly", monthWeek: -1, monthWeekDay: "friday", endAfterCount: 3 },
    });
    expect(lastFriday.occurrences.map((o) => o.startLocal.slice(0, 10))).toEqual(["2025-09-26", "2025-10-31", "2025-11-28"]);
  });

  it("refuses a rule Zoom cannot hold with 400 naming the field", async () => {
    const cases = [
      [{ frequency: "weekly", endAfterCount: 3 }, "body.recurrence.weekDays"],
      [{ frequency: "daily", endAfterCount: 61 }, "body.recurrence.endAfterCount"],
      [{ frequency: "daily", endAfterCount: 3, endDate: "2025-12-01" }, "body.recurrence.endAfterCount"],
      [{ frequency: "monthly", endAfterCount: 3 }, "body.recurrence.monthDay"],
    ] as const;
    for (const [recurrence, field] of cases) {
      const error = await failureOf(service.client.createMeeting({ ...TEST_BOOKING, recurrence: recurrence as never }));
      expect([error.status, error.details?.field]).toEqual([400, field]);
    }
    expect(zoom.inspect().meetings).toHaveLength(0);
  });

  it("moves one occurrence, cancels another, and the series keeps the rest", async () => {
    const series = await service.client.createMeeting(WEEKLY);
    const [first, second, third] = series.occurrences;
    const moved = await service.client.updateMeeting(series.id, {
      organizationId: "acme",
      occurrenceId: second?.occurrenceId,
      startLocal: "2025-09-17T14:00",
      timeZone: "Europe/Berlin",
    });
    expect(moved.occurrences.find((o) => o.occurrenceId === second?.occurrenceId)?.startLocal).toBe("2025-09-17T14:00:00");
    await service.client.deleteMeeting("acme", series.id, { occurrenceId: third?.occurrenceId });
    const after = await service.client.getMeeting("acme", series.id);
    expect(after.occurrences.find((o) => o.occurrenceId === third?.occurrenceId)?.status).toBe("deleted");
    expect(after.occurrences.find((o) => o.occurrenceId === first?.occurrenceId)?.status).toBe("available");
    const whole = await failureOf(
      service.client.updateMeeting(series.id, { organizationId: "acme", occurrenceId: first?.occurrenceId, topic: "x" }),
    );
    expect(whole.details?.field).toBe("body.topic");
  });

  it("updates and deletes the whole series", async () => {
    const series = await service.client.createMeeting(WEEKLY);
    const later = await service.client.updateMeeting(series.id, {
      organizationId: "acme",
      startLocal: "2025-09-15T16:00",
      timeZone: "Europe/Berlin",
      recurrence: { frequency: "weekly", weekDays: ["monday"], endAfterCount: 4 },
    });
    expect(later.occurrences.map((o) => o.startLocal)).toEqual([
      "2025-09-15T16:00:00",
      "2025-09-22T16:00:00",
      "2025-09-29T16:00:00",
      "2025-10-06T16:00:00",
    ]);
    await service.client.deleteMeeting("acme", series.id);
    expect(zoom.inspect().meetings[0]?.deleted).toBe(true);
  });

  it("applies the idempotency rules to series: a retry replays, a changed rule under the same key is refused", async () => {
    const first = await service.client.createMeeting(WEEKLY);
    const again = await service.client.createMeeting(WEEKLY);
    expect([again.id, again.replayed, again.occurrences.length]).toEqual([first.id, true, 14]);
    const changed = await failureOf(service.client.createMeeting({ ...WEEKLY, recurrence: { ...WEEKLY.recurrence, endAfterCount: 6 } }));
    expect(changed.code).toBe(ErrorCode.IdempotencyMismatch);
    expect(zoom.inspect().meetings).toHaveLength(1);
  });
});

describe("join details", () => {
  it("answers dial-in numbers with their country, the phone passcode and the invitation on create and get", async () => {
    const created = await service.client.createMeeting(TEST_BOOKING);
    expect(created.joinDetails.dialIn.length).toBeGreaterThan(0);
    expect(created.joinDetails.dialIn[0]).toMatchObject({ country: expect.stringMatching(/^[A-Z]{2}$/), number: expect.any(String) });
    expect(created.joinDetails.phonePasscode).toMatch(/^\d+$/);
    expect(created.invitation).toContain(created.joinUrl);
    const read = await service.client.getMeeting("acme", created.id);
    expect(read.invitation).toBe(created.invitation);
    expect(read.joinDetails).toEqual(created.joinDetails);
  });
});

describe("busy times", () => {
  it("lists the host's meetings, including ones made directly in Zoom and every occurrence of a series", async () => {
    const single = await service.client.createMeeting({ ...TEST_BOOKING, host: "member@acme.example" });
    const series = await service.client.createMeeting({ ...WEEKLY, bookingId: "b-2", host: "member@acme.example" });
    await service.client.deleteMeeting("acme", series.id, { occurrenceId: series.occurrences[1]?.occurrenceId });
    const other = await service.client.createMeeting({ ...TEST_BOOKING, bookingId: "b-3" });
    const page = await service.client.busyTimes({
      organizationId: "acme",
      host: "member@acme.example",
      from: "2025-09-10T00:00:00Z",
      to: "2025-09-23T00:00:00Z",
    });
    expect(page.busy).toEqual([
      { start: "2025-09-10T08:00:00Z", end: "2025-09-10T08:30:00Z", meetingId: single.id, occurrenceId: null },
      {
        start: "2025-09-15T08:00:00Z",
        end: "2025-09-15T08:30:00Z",
        meetingId: series.id,
        occurrenceId: series.occurrences[0]?.occurrenceId,
      },
      {
        start: "2025-09-22T08:00:00Z",
        end: "2025-09-22T08:30:00Z",
        meetingId: series.id,
        occurrenceId: series.occurrences[2]?.occurrenceId,
      },
    ]);
    expect(page.busy.map((b) => b.meetingId)).not.toContain(other.id);
  });

  it("refuses a window that ends before it starts, naming the field", async () => {
    const error = await failureOf(
      service.client.busyTimes({ organizationId: "acme", host: "me", from: "2025-09-10T00:00:00Z", to: "2025-09-09T00:00:00Z" }),
    );
    expect([error.status, error.details?.field]).toEqual([400, "query.to"]);
  });
});

describe("cancelling", () => {
  it("tells Zoom not to e-mail anyone by default, and to e-mail when asked", async () => {
    const quiet = await service.client.createMeeting(TEST_BOOKING);
    const loud = await service.client.createMeeting({ ...TEST_BOOKING, bookingId: "b-2" });
    await service.client.deleteMeeting("acme", quiet.id);
    await service.client.deleteMeeting("acme", loud.id, { notifyHost: true, notifyRegistrants: true });
    const byId = new Map(zoom.inspect().meetings.map((m) => [m.id, m.deleteOptions]));
    expect(byId.get(quiet.id)).toEqual({ scheduleForReminder: false, cancelMeetingReminder: false });
    expect(byId.get(loud.id)).toEqual({ scheduleForReminder: true, cancelMeetingReminder: true });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureOf, startTestService, TEST_BOOKING, type TestService } from "../../test/support/meetings-support.ts";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";

let zoom: ZoomEmulator;
let service: TestService;
beforeAll(async () => {
  zoom = await startZoomEmulator({ clock: { frozenAt: "2025-09-01T08:00:00Z" } });
  service = await startTestService(zoom);
});
afterAll(async () => {
  await service.close();
  await zoom.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { code?: string; details?: { field?: string } } }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

const create = (change: Record<string, unknown>) => call("POST", "/v1/meetings", { ...TEST_BOOKING, ...change });

describe("impossible values are refused with a 400 naming the field, never rolled over into another date", () => {
  it.each([
    ["a 30th of February", { startLocal: "2026-02-30T10:00" }, "body.startLocal"],
    ["a 29th of February outside a leap year", { startLocal: "2025-02-29T10:00" }, "body.startLocal"],
    ["the 31st of April", { startLocal: "2026-04-31T10:00:00" }, "body.startLocal"],
    ["month 13", { startLocal: "2026-13-01T10:00" }, "body.startLocal"],
    ["month 00", { startLocal: "2026-00-10T10:00" }, "body.startLocal"],
    ["24:61", { startLocal: "2026-03-10T24:61" }, "body.startLocal"],
    ["24:00", { startLocal: "2026-03-10T24:00" }, "body.startLocal"],
    ["second 60", { startLocal: "2026-03-10T10:00:60" }, "body.startLocal"],
    ["an instant on the 30th of February", { startLocal: undefined, startInstant: "2026-02-30T10:00:00Z" }, "body.startInstant"],
    ["an offset of +25:00", { startLocal: undefined, startInstant: "2026-03-10T10:00:00+25:00" }, "body.startInstant"],
    ["a time-zone alias", { timeZone: "US/Eastern" }, "body.timeZone"],
    ["a lower-case zone", { timeZone: "europe/berlin" }, "body.timeZone"],
    ["an inverted POSIX zone", { timeZone: "Etc/GMT+5" }, "body.timeZone"],
    ["an offset as a zone", { timeZone: "+01:00" }, "body.timeZone"],
    ["an organization id with @", { organizationId: "acme@example" }, "body.organizationId"],
    [
      "a recurrence ending on the 30th of February",
      { recurrence: { frequency: "daily", endDate: "2026-02-30" } },
      "body.recurrence.endDate",
    ],
  ])("refuses %s", async (_name, change, field) => {
    const res = await create({ bookingId: "never-created", ...change });
    expect([res.status, res.json.code, res.json.details?.field]).toEqual([400, "BAD_REQUEST", field]);
  });

  it("creates nothing at Zoom for any of them", () => {
    expect(zoom.inspect().meetings).toEqual([]);
  });

  it("accepts the canonical IANA names Intl spells the old way, and leap days", async () => {
    const kolkata = await service.client.createMeeting({ ...TEST_BOOKING, bookingId: "b-kolkata", timeZone: "Asia/Kolkata" });
    expect(kolkata).toMatchObject({ startInstant: "2025-09-10T04:30:00Z" });
    const leap = await service.client.createMeeting({ ...TEST_BOOKING, bookingId: "b-leap", startLocal: "2028-02-29T10:00" });
    expect(leap.startLocal).toBe("2028-02-29T10:00:00");
  });

  it("accepts a start in the past (Zoom does; the booking app owns that policy)", async () => {
    const past = await service.client.createMeeting({ ...TEST_BOOKING, bookingId: "b-past", startLocal: "2025-08-01T10:00" });
    expect(past.startInstant).toBe("2025-08-01T08:00:00Z");
  });

  it("names the canonical zone when an alias is sent", async () => {
    const error = await failureOf(service.client.createMeeting({ ...TEST_BOOKING, bookingId: "b-alias", timeZone: "US/Eastern" }));
    expect(error.message).toContain("America/New_York");
  });
});

describe("malformed query strings and path parameters", () => {
  it.each([
    ["a broken %-escape in the meeting id", "/v1/meetings/%E0%A4?organizationId=acme", "path"],
    ["a meeting id that is not digits", "/v1/meetings/12a?organizationId=acme", "path.id"],
    ["an escaped slash in the meeting id", "/v1/meetings/1%2F2?organizationId=acme", "path.id"],
    ["a repeated organizationId", "/v1/meetings/123?organizationId=acme&organizationId=other", "query.organizationId"],
    ["an organizationId with a NUL", "/v1/meetings/123?organizationId=ac%00me", "query.organizationId"],
    ["an unknown query parameter", "/v1/meetings/123?organizationId=acme&x=1", "query.x"],
    [
      "a busy window on the 30th of February",
      "/v1/organizations/acme/zoom/hosts/me/busy?from=2026-02-30T00:00Z&to=2026-03-02T00:00Z",
      "query.from",
    ],
    ["a non-numeric page size", "/v1/users?organizationId=acme&pageSize=ten", "query.pageSize"],
  ])("refuses %s", async (_name, path, field) => {
    const res = await call("GET", path);
    expect([res.status, res.json.code, res.json.details?.field]).toEqual([400, "BAD_REQUEST", field]);
  });
});

import { describe, expect, it } from "vitest";
import { ServiceError } from "../errors.ts";
import { instantsOfWallClock, isTimeZone, resolveStart, utcString } from "./meeting-time.ts";

function failure(run: () => unknown): ServiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error("expected a ServiceError");
}

describe("resolving a meeting start", () => {
  const cases = [
    {
      name: "an ordinary Berlin winter morning",
      local: "2026-01-15T10:00",
      zone: "Europe/Berlin",
      utc: "2026-01-15T09:00:00Z",
      zoom: "2026-01-15T10:00:00",
    },
    {
      name: "a Berlin summer morning",
      local: "2026-07-01T10:00:00",
      zone: "Europe/Berlin",
      utc: "2026-07-01T08:00:00Z",
      zoom: "2026-07-01T10:00:00",
    },
    {
      name: "03:30 right after Berlin's spring-forward gap",
      local: "2026-03-29T03:30:00",
      zone: "Europe/Berlin",
      utc: "2026-03-29T01:30:00Z",
      zoom: "2026-03-29T03:30:00",
    },
    {
      name: "Lord Howe just after its half-hour spring-forward",
      local: "2025-10-05T02:30:00",
      zone: "Australia/Lord_Howe",
      utc: "2025-10-04T15:30:00Z",
      zoom: "2025-10-05T02:30:00",
    },
    {
      name: "Kathmandu's quarter-hour offset",
      local: "2026-02-01T09:00:00",
      zone: "Asia/Kathmandu",
      utc: "2026-02-01T03:15:00Z",
      zoom: "2026-02-01T09:00:00",
    },
  ];
  for (const c of cases)
    it(`resolves ${c.name} to one instant and sends Zoom the local time`, () => {
      const start = resolveStart({ startLocal: c.local, timeZone: c.zone });
      expect(utcString(start.instant)).toBe(c.utc);
      expect(start.zoomStartTime).toBe(c.zoom);
    });

  it("refuses 02:30 on Berlin's spring-forward day as nonexistent and names the field", () => {
    const error = failure(() => resolveStart({ startLocal: "2026-03-29T02:30:00", timeZone: "Europe/Berlin" }));
    expect(error.code).toBe("AMBIGUOUS_TIME");
    expect(error.details).toMatchObject({ field: "startLocal", reason: "nonexistent", laterValidLocal: "2026-03-29T03:30:00" });
  });

  it("refuses 02:15 in Lord Howe's half-hour spring-forward gap", () => {
    const error = failure(() => resolveStart({ startLocal: "2025-10-05T02:15:00", timeZone: "Australia/Lord_Howe" }));
    expect(error.details).toMatchObject({ reason: "nonexistent", laterValidLocal: "2025-10-05T02:45:00" });
  });

  it("refuses a fall-back overlap time and offers both offsets", () => {
    const berlin = failure(() => resolveStart({ startLocal: "2025-10-26T02:30", timeZone: "Europe/Berlin" }));
    expect(berlin.details).toMatchObject({ reason: "ambiguous", candidates: ["2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00"] });
    const lordHowe = failure(() => resolveStart({ startLocal: "2026-04-05T01:45:00", timeZone: "Australia/Lord_Howe" }));
    expect(lordHowe.details).toMatchObject({ candidates: ["2026-04-05T01:45:00+11:00", "2026-04-05T01:45:00+10:30"] });
  });

  it("accepts the later of two overlapping instants by offset and sends it to Zoom as UTC", () => {
    const start = resolveStart({ startInstant: "2025-10-26T02:30:00+01:00", timeZone: "Europe/Berlin" });
    expect(utcString(start.instant)).toBe("2025-10-26T01:30:00Z");
    expect(start.zoomStartTime).toBe("2025-10-26T01:30:00Z");
  });

  it("converts an instant in another zone to the meeting zone's wall clock", () => {
    const start = resolveStart({ startInstant: "2026-03-29T00:30:00Z", timeZone: "Europe/Berlin" });
    expect(start.zoomStartTime).toBe("2026-03-29T01:30:00");
  });

  it("finds two instants for an overlap and none for a gap", () => {
    expect(instantsOfWallClock(Date.UTC(2025, 9, 26, 2, 30), "Europe/Berlin")).toHaveLength(2);
    expect(instantsOfWallClock(Date.UTC(2026, 2, 29, 2, 30), "Europe/Berlin")).toHaveLength(0);
  });

  it("knows IANA zones and refuses made-up ones", () => {
    expect(isTimeZone("Australia/Lord_Howe")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});

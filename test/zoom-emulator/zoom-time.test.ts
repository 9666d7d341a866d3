import { describe, expect, it } from "vitest";
import { formatUtc, nextUtcMidnight, parseStartTime, zoneOffsetMs } from "./zoom-time.ts";

describe("Zoom start_time parsing", () => {
  it.each([
    ["2025-07-01T10:00:00Z", "Europe/Berlin", "2025-07-01T10:00:00Z"],
    ["2025-07-01T10:00:00", "Europe/Berlin", "2025-07-01T08:00:00Z"],
    ["2025-12-01T10:00:00", "Europe/Berlin", "2025-12-01T09:00:00Z"],
    ["2025-07-01T10:00:00", "America/New_York", "2025-07-01T14:00:00Z"],
    ["2025-07-01T10:00:00", "Asia/Kolkata", "2025-07-01T04:30:00Z"],
    ["2025-10-26T02:30:00", "Europe/Berlin", "2025-10-26T00:30:00Z"],
    ["2025-07-01T10:00:00.123Z", "UTC", "2025-07-01T10:00:00Z"],
  ])("reads %s in %s as %s", (text, zone, utc) => {
    expect(formatUtc(parseStartTime(text, zone) ?? Number.NaN)).toBe(utc);
  });

  it.each(["2025-07-01 10:00:00", "2025-07-01T10:00", "2025-07-01T10:00:00+02:00", "2025-13-01T10:00:00Z", "tomorrow"])(
    "refuses %s",
    (text) => {
      expect(parseStartTime(text, "UTC")).toBeUndefined();
    },
  );

  it("knows zone offsets and the next midnight UTC", () => {
    expect(zoneOffsetMs(Date.parse("2025-07-01T00:00:00Z"), "Europe/Berlin")).toBe(7_200_000);
    expect(formatUtc(nextUtcMidnight(Date.parse("2025-03-10T23:59:59Z")))).toBe("2025-03-11T00:00:00Z");
  });
});

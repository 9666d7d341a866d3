import { describe, expect, it } from "vitest";
import { checkRecurrence, expandOccurrences, type Recurrence, type RecurrenceInput } from "./recurrence.ts";
import { formatUtc, parseStartTime } from "./zoom-time.ts";

function starts(input: RecurrenceInput, start: string, zone: string): string[] {
  const recurrence = checkRecurrence(input);
  if (Array.isArray(recurrence)) throw new Error(JSON.stringify(recurrence));
  const expanded = expandOccurrences(recurrence, parseStartTime(start, zone) ?? Number.NaN, zone, 30);
  if ("errors" in expanded) throw new Error(JSON.stringify(expanded.errors));
  return expanded.occurrences.map((o) => formatUtc(o.startTime));
}

describe("expanding a recurrence into occurrences", () => {
  it.each<[string, RecurrenceInput, string, string, string[]]>([
    [
      "daily keeps 09:00 Berlin across the spring-forward change (UTC+1 -> UTC+2)",
      { type: 1, end_times: 3 },
      "2025-03-29T09:00:00",
      "Europe/Berlin",
      ["2025-03-29T08:00:00Z", "2025-03-30T07:00:00Z", "2025-03-31T07:00:00Z"],
    ],
    [
      "weekly keeps 10:00 New York across the autumn change (UTC-4 -> UTC-5)",
      { type: 2, weekly_days: "1", end_times: 2 },
      "2025-10-26T10:00:00",
      "America/New_York",
      ["2025-10-26T14:00:00Z", "2025-11-02T15:00:00Z"],
    ],
    [
      "weekly on Monday and Wednesday (2,4) starts on the first matching day after a Sunday start",
      { type: 2, weekly_days: "4,2", end_times: 3 },
      "2025-03-09T12:00:00Z",
      "UTC",
      ["2025-03-10T12:00:00Z", "2025-03-12T12:00:00Z", "2025-03-17T12:00:00Z"],
    ],
    [
      "every second day",
      { type: 1, repeat_interval: 2, end_times: 3 },
      "2025-03-10T12:00:00Z",
      "UTC",
      ["2025-03-10T12:00:00Z", "2025-03-12T12:00:00Z", "2025-03-14T12:00:00Z"],
    ],
    [
      "monthly on day 31 falls on the last day of shorter months",
      { type: 3, monthly_day: 31, end_times: 3 },
      "2025-01-31T12:00:00Z",
      "UTC",
      ["2025-01-31T12:00:00Z", "2025-02-28T12:00:00Z", "2025-03-31T12:00:00Z"],
    ],
    [
      "monthly on the last Friday (-1, 6)",
      { type: 3, monthly_week: -1, monthly_week_day: 6, end_times: 3 },
      "2025-01-01T12:00:00Z",
      "UTC",
      ["2025-01-31T12:00:00Z", "2025-02-28T12:00:00Z", "2025-03-28T12:00:00Z"],
    ],
    [
      "monthly on the second Tuesday (2, 3)",
      { type: 3, monthly_week: 2, monthly_week_day: 3, end_times: 2 },
      "2025-03-01T12:00:00Z",
      "UTC",
      ["2025-03-11T12:00:00Z", "2025-04-08T12:00:00Z"],
    ],
    [
      "end_date_time includes an occurrence starting exactly then",
      { type: 1, end_date_time: "2025-03-12T12:00:00Z" },
      "2025-03-10T12:00:00Z",
      "UTC",
      ["2025-03-10T12:00:00Z", "2025-03-11T12:00:00Z", "2025-03-12T12:00:00Z"],
    ],
  ])("%s", (_name, input, start, zone, expected) => {
    expect(starts(input, start, zone)).toEqual(expected);
  });

  it("names each occurrence by the epoch milliseconds of its start, as a string", () => {
    const recurrence = checkRecurrence({ type: 1, end_times: 2 }) as Recurrence;
    const expanded = expandOccurrences(recurrence, Date.parse("2025-03-10T12:00:00Z"), "UTC", 45);
    expect("occurrences" in expanded && expanded.occurrences[0]).toEqual({
      occurrenceId: String(Date.parse("2025-03-10T12:00:00Z")),
      startTime: Date.parse("2025-03-10T12:00:00Z"),
      duration: 45,
      status: "available",
    });
  });

  it("defaults to one occurrence, weekly on Sunday and monthly on day 1, as Zoom documents", () => {
    expect(checkRecurrence({ type: 1 })).toEqual({ type: 1, repeat_interval: 1, end_times: 1 });
    expect(checkRecurrence({ type: 2 })).toMatchObject({ weekly_days: "1" });
    expect(checkRecurrence({ type: 3 })).toMatchObject({ monthly_day: 1 });
  });

  it("refuses an end date more than 60 occurrences away", () => {
    const recurrence = checkRecurrence({ type: 1, end_date_time: "2025-06-30T00:00:00Z" }) as Recurrence;
    const expanded = expandOccurrences(recurrence, Date.parse("2025-03-10T12:00:00Z"), "UTC", 30);
    expect(expanded).toEqual({ errors: [expect.objectContaining({ field: "recurrence.end_date_time" })] });
  });
});

describe("recurrence combinations Zoom refuses", () => {
  it.each<[string, RecurrenceInput, string]>([
    ["both end_times and end_date_time", { type: 1, end_times: 2, end_date_time: "2025-04-01T00:00:00Z" }, "recurrence.end_times"],
    ["a daily interval above 90", { type: 1, repeat_interval: 91 }, "recurrence.repeat_interval"],
    ["a weekly interval above 12", { type: 2, repeat_interval: 13 }, "recurrence.repeat_interval"],
    ["a monthly interval above 3", { type: 3, repeat_interval: 4 }, "recurrence.repeat_interval"],
    ["weekly_days on a daily series", { type: 1, weekly_days: "2" }, "recurrence.weekly_days"],
    ["monthly_day with monthly_week", { type: 3, monthly_day: 3, monthly_week: 1, monthly_week_day: 2 }, "recurrence.monthly_day"],
    ["monthly_week without monthly_week_day", { type: 3, monthly_week: 1 }, "recurrence.monthly_week"],
    ["an end_date_time that is not UTC", { type: 1, end_date_time: "2025-04-01T00:00:00" }, "recurrence.end_date_time"],
  ])("refuses %s", (_name, input, field) => {
    expect(checkRecurrence(input)).toEqual([expect.objectContaining({ field })]);
  });
});

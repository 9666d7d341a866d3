import { describe, expect, it } from "vitest";
import { section } from "./join-details.ts";
import { Recurrence, recurrenceOf, zoomRecurrence } from "./recurrence.ts";

describe("recurrence rules in Zoom's numbers", () => {
  const cases: { name: string; rule: Recurrence; zoom: Record<string, unknown> }[] = [
    { name: "daily, 5 times", rule: { frequency: "daily", endAfterCount: 5 }, zoom: { type: 1, repeat_interval: 1, end_times: 5 } },
    {
      name: "every second week on Monday and Sunday (1 = Sunday)",
      rule: { frequency: "weekly", interval: 2, weekDays: ["sunday", "monday"], endAfterCount: 4 },
      zoom: { type: 2, repeat_interval: 2, weekly_days: "1,2", end_times: 4 },
    },
    {
      name: "monthly on the last Friday until a date (end of that day in Berlin, in UTC)",
      rule: { frequency: "monthly", monthWeek: -1, monthWeekDay: "friday", endDate: "2025-12-31" },
      zoom: { type: 3, repeat_interval: 1, monthly_week: -1, monthly_week_day: 6, end_date_time: "2025-12-31T22:59:00Z" },
    },
  ];
  for (const c of cases)
    it(`maps ${c.name} both ways`, () => {
      expect(zoomRecurrence(c.rule, "Europe/Berlin")).toEqual(c.zoom);
      expect(recurrenceOf(c.zoom, "Europe/Berlin")).toEqual({ interval: 1, ...c.rule });
    });

  it("refuses rules Zoom cannot hold, naming the field", () => {
    const field = (rule: unknown) => Recurrence.safeParse(rule).error?.issues[0]?.path.join(".");
    expect(field({ frequency: "daily", interval: 100, endAfterCount: 2 })).toBe("interval");
    expect(field({ frequency: "weekly", interval: 51, weekDays: ["monday"], endAfterCount: 2 })).toBe("interval");
    expect(field({ frequency: "monthly", monthDay: 3, monthWeek: 1, monthWeekDay: "monday", endAfterCount: 2 })).toBe("monthDay");
    expect(field({ frequency: "monthly", monthWeek: 1, endAfterCount: 2 })).toBe("monthWeekDay");
    expect(field({ frequency: "daily" })).toBe("endAfterCount");
  });
});

describe("addresses in Zoom's invitation", () => {
  it("reads the SIP and H.323 lines under their headings only", () => {
    const invitation =
      "Join Zoom Meeting\nhttps://x/j/1\n\nJoin by SIP\n• 12345678901@zoomcrc.com\n\nJoin by H.323\n• 162.255.37.11 (US West)\n• 213.19.144.110 (Amsterdam)\n\nMeeting ID: 1";
    expect(section(invitation, /join by sip/i)).toEqual(["12345678901@zoomcrc.com"]);
    expect(section(invitation, /join by h\.?323/i)).toEqual(["162.255.37.11", "213.19.144.110"]);
    expect(section("no such heading", /join by sip/i)).toEqual([]);
  });
});

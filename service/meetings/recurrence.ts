import { z } from "zod";
import { isRealDateTime, localDateTime, resolveStart, utcString } from "./meeting-time.ts";

/**
 * Recurring series (Zoom meeting type 8). The booking app names the rule in words; Zoom wants
 * numbers (ZOOM.md "Recurring"): `type` 1 daily | 2 weekly | 3 monthly, `weekly_days` "1,3" with
 * 1 = Sunday, `monthly_day` or `monthly_week` (-1 = last) + `monthly_week_day`, and `end_times`
 * (at most 60) or `end_date_time` (UTC). Zoom keeps the wall-clock time of every occurrence in the
 * meeting's time zone, so a 10:00 Berlin series stays at 10:00 across DST changes.
 */

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** Zoom's upper bounds for repeat_interval per frequency, and for end_times. */
const MAX_INTERVAL = { daily: 99, weekly: 50, monthly: 10 } as const;
export const MAX_OCCURRENCES = 60;

export const Recurrence = z
  .strictObject({
    frequency: z.enum(["daily", "weekly", "monthly"]),
    interval: z.number().int().min(1).max(99).optional().meta({ description: "Every n days/weeks/months; default 1." }),
    weekDays: z.array(Weekday).min(1).max(7).optional().meta({ description: "weekly only: the days it happens on." }),
    monthDay: z.number().int().min(1).max(31).optional().meta({ description: "monthly by day: day of the month." }),
    monthWeek: z
      .union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(-1)])
      .optional()
      .meta({ description: "monthly by weekday: 1-4 or -1 (last), with monthWeekDay." }),
    monthWeekDay: Weekday.optional(),
    endAfterCount: z.number().int().min(1).max(MAX_OCCURRENCES).optional().meta({ description: "End after n occurrences (at most 60)." }),
    endDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "yyyy-MM-dd")
      .refine((day) => isRealDateTime(`${day}T00:00`), "a day that exists (month 01-12, a day of that month)")
      .optional()
      .meta({ description: "Last day (in the meeting's time zone) an occurrence may fall on." }),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (r.interval !== undefined && r.interval > MAX_INTERVAL[r.frequency])
      issue("interval", `at most ${MAX_INTERVAL[r.frequency]} for ${r.frequency}`);
    if ((r.endAfterCount === undefined) === (r.endDate === undefined)) issue("endAfterCount", "give endAfterCount or endDate, not both");
    if (r.frequency === "weekly" && r.weekDays === undefined) issue("weekDays", "a weekly series needs weekDays");
    if (r.frequency !== "weekly" && r.weekDays !== undefined) issue("weekDays", "only for a weekly series");
    const byDay = r.monthDay !== undefined;
    const byWeekday = r.monthWeek !== undefined || r.monthWeekDay !== undefined;
    if (r.frequency !== "monthly" && (byDay || byWeekday)) issue("monthDay", "only for a monthly series");
    if (r.frequency === "monthly" && byDay === byWeekday) issue("monthDay", "give monthDay, or monthWeek with monthWeekDay");
    if (byWeekday && (r.monthWeek === undefined || r.monthWeekDay === undefined))
      issue("monthWeekDay", "monthWeek and monthWeekDay go together");
  })
  .meta({ description: "Makes the meeting a recurring series (Zoom type 8)." });
export type Recurrence = z.infer<typeof Recurrence>;

const FREQUENCY_CODE = { daily: 1, weekly: 2, monthly: 3 } as const;
const dayCode = (day: Weekday) => WEEKDAYS.indexOf(day) + 1;

/** Zoom's `recurrence` object. `endDate` becomes the last second of that day in the meeting's zone. */
export function zoomRecurrence(r: Recurrence, timeZone: string): Record<string, unknown> {
  const body: Record<string, unknown> = { type: FREQUENCY_CODE[r.frequency], repeat_interval: r.interval ?? 1 };
  if (r.weekDays) body.weekly_days = [...new Set(r.weekDays.map(dayCode))].sort().join(",");
  if (r.monthDay !== undefined) body.monthly_day = r.monthDay;
  if (r.monthWeek !== undefined && r.monthWeekDay !== undefined) {
    body.monthly_week = r.monthWeek;
    body.monthly_week_day = dayCode(r.monthWeekDay);
  }
  if (r.endAfterCount !== undefined) body.end_times = r.endAfterCount;
  if (r.endDate !== undefined) body.end_date_time = utcString(endOfLocalDay(r.endDate, timeZone));
  return body;
}

function endOfLocalDay(date: string, zone: string): number {
  // NB: 23:59 exists in every zone on every day (DST changes happen at night, never at 23:59).
  return resolveStart({ startLocal: `${date}T23:59:00`, timeZone: zone }).instant;
}

const ZoomRecurrence = z.looseObject({
  type: z.number(),
  repeat_interval: z.number().optional(),
  weekly_days: z.string().optional(),
  monthly_day: z.number().optional(),
  monthly_week: z.number().optional(),
  monthly_week_day: z.number().optional(),
  end_times: z.number().optional(),
  end_date_time: z.string().optional(),
});

/** Zoom's recurrence back in the API's words; undefined when it is not one we can describe. */
export function recurrenceOf(value: unknown, timeZone: string): Recurrence | undefined {
  const parsed = ZoomRecurrence.safeParse(value);
  if (!parsed.success) return undefined;
  const z8 = parsed.data;
  const frequency = (["daily", "weekly", "monthly"] as const)[z8.type - 1];
  if (!frequency) return undefined;
  const day = (code: number | undefined) => (code === undefined ? undefined : WEEKDAYS[code - 1]);
  const out: Record<string, unknown> = {
    frequency,
    interval: z8.repeat_interval ?? 1,
    weekDays: z8.weekly_days?.split(",").map((d) => day(Number(d))),
    monthDay: z8.monthly_day,
    monthWeek: z8.monthly_week,
    monthWeekDay: day(z8.monthly_week_day),
    endAfterCount: z8.end_date_time === undefined ? z8.end_times : undefined,
    endDate: z8.end_date_time === undefined ? undefined : localDateTime(Date.parse(z8.end_date_time), timeZone).slice(0, 10),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Recurrence;
}

export const Occurrence = z.object({
  occurrenceId: z.string().meta({ description: "Zoom's occurrence id (pass it to update or cancel this occurrence only)." }),
  startInstant: z.string(),
  startLocal: z.string(),
  durationMinutes: z.number().int(),
  status: z.string().meta({ description: "available, or deleted once cancelled." }),
});
export type Occurrence = z.infer<typeof Occurrence>;

const ZoomOccurrences = z.array(
  z.looseObject({
    occurrence_id: z.union([z.string(), z.number()]),
    start_time: z.string(),
    duration: z.number().optional(),
    status: z.string().optional(),
  }),
);

export function occurrencesOf(value: unknown, timeZone: string, durationMinutes: number): Occurrence[] {
  const parsed = ZoomOccurrences.safeParse(value ?? []);
  if (!parsed.success) return [];
  return parsed.data.map((o) => {
    const instant = Date.parse(o.start_time);
    return {
      occurrenceId: String(o.occurrence_id),
      startInstant: utcString(instant),
      startLocal: localDateTime(instant, timeZone),
      durationMinutes: o.duration ?? durationMinutes,
      status: o.status ?? "available",
    };
  });
}

import { z } from "zod";
import type { FieldError } from "./errors.ts";
import { parseStartTime, wallClockToUtc, zoneOffsetMs } from "./zoom-time.ts";

/**
 * Recurring meetings with a fixed time (`type: 8`, Zoom's "Create a meeting" `recurrence` object).
 * From Zoom's docs: type 1 daily | 2 weekly | 3 monthly; `repeat_interval` at most 90 days, 12 weeks
 * or 3 months; `weekly_days` "1,3" with 1 = Sunday (default "1"); `monthly_day` 1..31 (default 1)
 * or `monthly_week` (-1 last, 1..4) with `monthly_week_day` (1 = Sunday); `end_times` at most 60
 * (default 1) and not with `end_date_time` (UTC). Choices where the docs are vague, marked NB below.
 */
export const MAX_OCCURRENCES = 60;
const MAX_INTERVAL: Readonly<Record<1 | 2 | 3, number>> = { 1: 90, 2: 12, 3: 3 };
const DAY_MS = 86_400_000;

export const recurrenceSchema = z.object({
  type: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  repeat_interval: z.number().int().min(1).optional(),
  weekly_days: z
    .string()
    .regex(/^[1-7](,[1-7])*$/, "weekly_days is a comma-separated list of 1 (Sunday) to 7 (Saturday).")
    .optional(),
  monthly_day: z.number().int().min(1).max(31).optional(),
  monthly_week: z.union([z.literal(-1), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
  monthly_week_day: z.number().int().min(1).max(7).optional(),
  end_times: z.number().int().min(1).max(MAX_OCCURRENCES, `end_times must not be more than ${MAX_OCCURRENCES}.`).optional(),
  end_date_time: z.string().optional(),
});
export type RecurrenceInput = z.output<typeof recurrenceSchema>;

/** A validated recurrence, defaults applied, as the meeting stores and answers it. */
export interface Recurrence {
  readonly type: 1 | 2 | 3;
  readonly repeat_interval: number;
  readonly weekly_days?: string;
  readonly monthly_day?: number;
  readonly monthly_week?: -1 | 1 | 2 | 3 | 4;
  readonly monthly_week_day?: number;
  readonly end_times?: number;
  readonly end_date_time?: string;
}

export type OccurrenceStatus = "available" | "deleted";

export interface Occurrence {
  /** Zoom's format: the epoch milliseconds of the occurrence's original start, as a string. */
  readonly occurrenceId: string;
  startTime: number;
  duration: number;
  status: OccurrenceStatus;
  agenda?: string;
  settings?: Record<string, unknown>;
}

const problem = (field: string, message: string): FieldError[] => [{ field: `recurrence.${field}`, message }];

/** Checks the combinations Zoom refuses and fills in Zoom's defaults. */
export function checkRecurrence(input: RecurrenceInput): Recurrence | FieldError[] {
  const interval = input.repeat_interval ?? 1;
  if (interval > MAX_INTERVAL[input.type])
    return problem(
      "repeat_interval",
      `repeat_interval must not be more than ${MAX_INTERVAL[input.type]} for recurrence type ${input.type}.`,
    );
  if (input.end_times !== undefined && input.end_date_time !== undefined)
    return problem("end_times", "end_times cannot be used with end_date_time.");
  if (input.end_date_time !== undefined && !/Z$/.test(input.end_date_time))
    return problem("end_date_time", "end_date_time must be in UTC: yyyy-MM-ddTHH:mm:ssZ.");
  if (input.end_date_time !== undefined && parseStartTime(input.end_date_time, "UTC") === undefined)
    return problem("end_date_time", "Invalid end_date_time.");
  // NB: Zoom ignores fields of another recurrence type; the emulator refuses them so a client bug shows.
  if (input.type !== 2 && input.weekly_days !== undefined)
    return problem("weekly_days", "weekly_days is only for weekly recurrence (type 2).");
  const monthlyFields = [input.monthly_day, input.monthly_week, input.monthly_week_day].some((v) => v !== undefined);
  if (input.type !== 3 && monthlyFields)
    return problem("monthly_day", "monthly_day, monthly_week and monthly_week_day are only for monthly recurrence (type 3).");
  if (input.type === 3 && input.monthly_day !== undefined && (input.monthly_week !== undefined || input.monthly_week_day !== undefined))
    return problem("monthly_day", "Use either monthly_day or monthly_week with monthly_week_day, not both.");
  if (input.type === 3 && (input.monthly_week === undefined) !== (input.monthly_week_day === undefined))
    return problem("monthly_week", "monthly_week and monthly_week_day must be given together.");
  const ending = input.end_date_time !== undefined ? { end_date_time: input.end_date_time } : { end_times: input.end_times ?? 1 };
  const base = { type: input.type, repeat_interval: interval, ...ending };
  if (input.type === 2) return { ...base, weekly_days: input.weekly_days ?? "1" };
  if (input.type === 3 && input.monthly_week !== undefined)
    return { ...base, monthly_week: input.monthly_week, monthly_week_day: input.monthly_week_day ?? 1 };
  if (input.type === 3) return { ...base, monthly_day: input.monthly_day ?? 1 };
  return base;
}

interface LocalDate {
  readonly year: number;
  readonly month: number; // 0-based
  readonly day: number;
}

/**
 * The occurrences of a series that starts at `start` (its first wanted wall-clock time in `zone`).
 * Each keeps the local wall-clock time across DST changes; the first is the first matching day on
 * or after the start date. More than 60 (an `end_date_time` too far away) is a validation error.
 */
export function expandOccurrences(
  recurrence: Recurrence,
  start: number,
  zone: string,
  duration: number,
): { readonly occurrences: Occurrence[] } | { readonly errors: FieldError[] } {
  const wall = start + zoneOffsetMs(start, zone);
  const timeOfDay = ((wall % DAY_MS) + DAY_MS) % DAY_MS;
  const first = toLocalDate(wall - timeOfDay);
  const end = recurrence.end_date_time === undefined ? undefined : parseStartTime(recurrence.end_date_time, "UTC");
  const limit = recurrence.end_times ?? MAX_OCCURRENCES + 1;
  const occurrences: Occurrence[] = [];
  for (const date of candidateDates(recurrence, first)) {
    const instant = wallClockToUtc(Date.UTC(date.year, date.month, date.day) + timeOfDay, zone);
    if (end !== undefined && instant > end) break;
    occurrences.push({ occurrenceId: String(instant), startTime: instant, duration, status: "available" });
    if (occurrences.length >= limit) break;
  }
  if (occurrences.length > MAX_OCCURRENCES)
    return { errors: problem("end_date_time", `The series would have more than ${MAX_OCCURRENCES} occurrences.`) };
  if (occurrences.length === 0) return { errors: problem("end_date_time", "The series has no occurrence before end_date_time.") };
  return { occurrences };
}

function toLocalDate(wallMidnight: number): LocalDate {
  const d = new Date(wallMidnight);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate() };
}

function dayNumber(date: LocalDate): number {
  return Date.UTC(date.year, date.month, date.day) / DAY_MS;
}

/** Matching local dates in order, from the first on or after `first`; bounded so a bad rule cannot spin. */
function* candidateDates(recurrence: Recurrence, first: LocalDate): Generator<LocalDate> {
  const interval = recurrence.repeat_interval;
  const firstDay = dayNumber(first);
  for (let step = 0; step < 400; step++) {
    if (recurrence.type === 1) yield toLocalDate((firstDay + step * interval) * DAY_MS);
    else if (recurrence.type === 2) yield* weekDates(recurrence.weekly_days ?? "1", firstDay, step * interval);
    else {
      const date = monthDate(recurrence, first.year, first.month + step * interval);
      if (date && dayNumber(date) >= firstDay) yield date;
    }
  }
}

function* weekDates(weeklyDays: string, firstDay: number, weekOffset: number): Generator<LocalDate> {
  // NB: day 0 of the epoch was a Thursday; weeks run Sunday (1) to Saturday (7), as Zoom numbers them.
  const sunday = firstDay - ((firstDay + 4) % 7) + weekOffset * 7;
  const days = [...new Set(weeklyDays.split(",").map(Number))].sort((a, b) => a - b);
  for (const day of days) if (sunday + day - 1 >= firstDay) yield toLocalDate((sunday + day - 1) * DAY_MS);
}

function monthDate(recurrence: Recurrence, year: number, month: number): LocalDate | undefined {
  const y = year + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  if (recurrence.monthly_day !== undefined)
    // NB: Zoom does not say what happens to day 31 in a 30-day month; the emulator takes the last day.
    return { year: y, month: m, day: Math.min(recurrence.monthly_day, daysInMonth) };
  const weekday = (recurrence.monthly_week_day ?? 1) - 1; // 0 = Sunday
  const firstWeekday = new Date(Date.UTC(y, m, 1)).getUTCDay();
  const firstMatch = 1 + ((weekday - firstWeekday + 7) % 7);
  if (recurrence.monthly_week === -1) return { year: y, month: m, day: firstMatch + 7 * Math.floor((daysInMonth - firstMatch) / 7) };
  return { year: y, month: m, day: firstMatch + 7 * ((recurrence.monthly_week ?? 1) - 1) };
}

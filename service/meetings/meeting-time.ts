import { ErrorCode, ServiceError } from "../errors.ts";

/**
 * Wall-clock time in IANA zones with Intl only. The booking app says either "10:00 in
 * Europe/Berlin" (`startLocal` + `timeZone`) or names an instant (`startInstant` with `Z` or an
 * offset). A local time that does not exist (spring-forward gap) or exists twice (fall-back
 * overlap) is refused with AMBIGUOUS_TIME rather than guessed: peers shipped wrong-hour meetings by
 * guessing (ZOOM.md). The caller disambiguates with `startInstant` and an explicit offset.
 */

export const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
export const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" } as const;
    formatter = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", ...options });
    formatters.set(zone, formatter);
  }
  return formatter;
}

export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return zone.length > 0;
  } catch {
    // NB: Intl's RangeError for an unknown zone is the answer.
    return false;
  }
}

/** The zone's wall clock at an instant, as milliseconds of a UTC date with the same fields. */
function wallAsUtc(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instant))) parts[part.type] = Number(part.value);
  return Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
}

function offsetMs(instant: number, zone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallAsUtc(whole, zone) - whole;
}

/** Every instant whose wall clock in `zone` reads `wall`: 0 (gap), 1, or 2 (overlap). */
export function instantsOfWallClock(wall: number, zone: string): number[] {
  const HALF_DAY = 12 * 3_600_000;
  const offsets = new Set([offsetMs(wall - HALF_DAY, zone), offsetMs(wall + HALF_DAY, zone)]);
  const found = [...offsets].map((offset) => wall - offset).filter((instant) => wallAsUtc(instant, zone) === wall);
  return [...new Set(found)].sort((a, b) => a - b);
}

/** `2026-03-29T03:30:00`: the zone's wall clock at an instant, as Zoom wants it (no `Z`). */
export function localDateTime(instant: number, zone: string): string {
  return new Date(wallAsUtc(instant, zone)).toISOString().slice(0, 19);
}

/** `2025-10-26T02:30:00+01:00`. */
export function instantWithOffset(instant: number, zone: string): string {
  const offset = Math.round(offsetMs(instant, zone) / 60_000);
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${localDateTime(instant, zone)}${sign}${hh}:${mm}`;
}

export function utcString(instant: number): string {
  return new Date(instant).toISOString().replace(/\.000Z$/, "Z");
}

export interface StartInput {
  readonly startLocal?: string | undefined;
  readonly startInstant?: string | undefined;
  readonly timeZone: string;
}

export interface ResolvedStart {
  readonly instant: number;
  readonly timeZone: string;
  /**
   * What to send as Zoom's `start_time` (with `timezone`): local wall time without `Z`, except when
   * that wall time occurs twice in the zone: then UTC with `Z`, which Zoom reads as an instant.
   */
  readonly zoomStartTime: string;
}

/** Resolves a start to one instant; throws AMBIGUOUS_TIME naming the field for a gap or an overlap. */
export function resolveStart(input: StartInput): ResolvedStart {
  const instant =
    input.startInstant !== undefined ? Date.parse(input.startInstant) : instantOfLocal(input.startLocal ?? "", input.timeZone);
  return { instant, timeZone: input.timeZone, zoomStartTime: zoomStartTime(instant, input.timeZone) };
}

export function zoomStartTime(instant: number, zone: string): string {
  const wall = wallAsUtc(instant, zone);
  return instantsOfWallClock(wall, zone).length > 1 ? utcString(instant) : localDateTime(instant, zone);
}

function instantOfLocal(local: string, zone: string): number {
  const match = LOCAL_PATTERN.exec(local);
  if (!match)
    throw new ServiceError(ErrorCode.BadRequest, "startLocal: expected yyyy-MM-ddTHH:mm[:ss]", { details: { field: "startLocal" } });
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const candidates = instantsOfWallClock(wall, zone);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return only;
  if (candidates.length === 0) {
    const shifted = wall - offsetMs(wall - 12 * 3_600_000, zone);
    throw new ServiceError(
      ErrorCode.AmbiguousTime,
      `startLocal: ${local} does not exist in ${zone} (the clocks skip it); send another time or a startInstant.`,
      {
        details: { field: "startLocal", reason: "nonexistent", laterValidLocal: localDateTime(shifted, zone) },
      },
    );
  }
  const options = candidates.map((instant) => instantWithOffset(instant, zone));
  throw new ServiceError(
    ErrorCode.AmbiguousTime,
    `startLocal: ${local} occurs twice in ${zone} (the clocks go back); send a startInstant with one of the offsets.`,
    {
      details: { field: "startLocal", reason: "ambiguous", candidates: options },
    },
  );
}

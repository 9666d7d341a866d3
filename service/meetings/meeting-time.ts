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

/**
 * The zone names the contract accepts: Intl's canonical IDs, UTC, and the current IANA names that
 * CLDR (hence Intl) still spells the old way (Intl answers Asia/Calcutta for Asia/Kolkata). NB: Intl
 * itself also takes links (US/Eastern, EST5EDT), POSIX zones whose sign is inverted (Etc/GMT+5 is
 * UTC-5), offsets (+01:00) and any letter case: those are refused, naming the canonical zone where
 * there is one, so a meeting's zone is never silently a different spelling than the booking app sent.
 */
const IANA_RENAMED = [
  "Africa/Asmara",
  "America/Argentina/Buenos_Aires",
  "America/Argentina/Catamarca",
  "America/Argentina/Cordoba",
  "America/Argentina/Jujuy",
  "America/Argentina/Mendoza",
  "America/Indiana/Indianapolis",
  "America/Kentucky/Louisville",
  "America/Nuuk",
  "Asia/Ho_Chi_Minh",
  "Asia/Kathmandu",
  "Asia/Kolkata",
  "Asia/Yangon",
  "Atlantic/Faroe",
  "Europe/Kyiv",
  "Pacific/Chuuk",
  "Pacific/Kanton",
  "Pacific/Pohnpei",
];
let canonicalZones: ReadonlySet<string> | undefined;

function zonesAccepted(): ReadonlySet<string> {
  canonicalZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Etc/UTC", ...IANA_RENAMED.filter(resolvesInIntl)]);
  return canonicalZones;
}

function resolvesInIntl(zone: string): boolean {
  return intlName(zone) !== undefined;
}

function intlName(zone: string): string | undefined {
  try {
    return formatterFor(zone).resolvedOptions().timeZone;
  } catch {
    // NB: Intl's RangeError for an unknown zone is the answer.
    return undefined;
  }
}

export function isTimeZone(zone: string): boolean {
  return zonesAccepted().has(zone);
}

/** Why a zone is refused, for the 400's message. */
export function timeZoneProblem(zone: string): string {
  const resolved = intlName(zone);
  if (resolved === undefined || !zonesAccepted().has(resolved)) return "an IANA time zone, e.g. Europe/Berlin";
  return `an alias or a non-canonical spelling: send the canonical IANA name ${resolved}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** NB: Date.UTC and Date.parse roll a 30th of February over into March: check every part first. */
export function realDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const days = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= days && year >= 1;
}

const PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))?$/;

/** A startLocal or an instant whose date, time and offset parts all exist (no roll-over). */
export function isRealDateTime(value: string): boolean {
  const match = PARTS.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1, 9).map((part) => Number(part ?? 0));
  if ((offsetHours ?? 0) > 23 || (offsetMinutes ?? 0) > 59) return false;
  return realDateTime(year ?? 0, month ?? 0, day ?? 0, hour ?? 0, minute ?? 0, second ?? 0);
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
  if (!realDateTime(year, month, day, hour, minute, second))
    throw new ServiceError(ErrorCode.BadRequest, `startLocal: ${local} is not a date and time that exists`, {
      details: { field: "startLocal" },
    });
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

/**
 * Zoom's time semantics (ZOOM.md, "Time semantics"): `yyyy-MM-ddTHH:mm:ssZ` is UTC; without `Z`
 * it is wall-clock time in `timezone`, or in the account's zone when no timezone is given. Peers
 * shipped wrong-hour meetings by mixing these, so the emulator converts exactly and refuses any
 * other shape (offsets like `+02:00` included) instead of guessing.
 */
const START_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(Z?)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    // NB: Intl throws a RangeError for an unknown zone; that *is* the answer here.
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instant))) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The UTC instant of a wall-clock time in a zone. Like java.time and Temporal's "compatible":
 * a time in a DST gap moves forward, a time in a DST overlap takes the earlier instant (how Zoom
 * resolves these is not documented).
 */
export function wallClockToUtc(wallAsUtc: number, zone: string): number {
  const HALF_DAY = 12 * 3_600_000;
  const before = zoneOffsetMs(wallAsUtc - HALF_DAY, zone);
  const after = zoneOffsetMs(wallAsUtc + HALF_DAY, zone);
  const valid = [wallAsUtc - before, wallAsUtc - after].filter((utc, i) => zoneOffsetMs(utc, zone) === (i === 0 ? before : after));
  return valid.length > 0 ? Math.min(...valid) : wallAsUtc - before;
}

/** Parses a request's `start_time`; undefined when it has a shape Zoom does not document. */
export function parseStartTime(text: string, zone: string): number | undefined {
  const match = START_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const roundTrip = new Date(wall);
  if (roundTrip.getUTCDate() !== day || roundTrip.getUTCMonth() !== month - 1) return undefined;
  return match[7] === "Z" ? wall : wallClockToUtc(wall, zone);
}

/** Zoom answers `start_time` in UTC with `Z` and no fraction: `2025-03-30T08:00:00Z`. */
export function formatUtc(instant: number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Midnight UTC after an instant: when the daily meeting create/update limit resets. */
export function nextUtcMidnight(instant: number): number {
  const day = new Date(instant);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
}

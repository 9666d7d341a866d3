/**
 * Zoom writes int64 meeting ids as raw JSON numbers (ZOOM.md), and `JSON.parse` rounds every
 * integer above 2^53 silently. `parseZoomJson` quotes each integer literal that a double cannot
 * hold exactly *before* parsing, so such ids arrive as strings of the original digits. It scans
 * tokens (string literals are skipped, escapes included), so text inside a topic or agenda is
 * never touched. Ids below 2^53 stay numbers; `meetingIdOf` normalises both.
 */

/** Digits from which an integer may exceed Number.MAX_SAFE_INTEGER (16 digits). */
const UNSAFE_DIGITS = 16;

export type ParsedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

export function parseZoomJson(text: string): ParsedJson {
  if (text.trim() === "") return { ok: false, reason: "empty body" };
  try {
    return { ok: true, value: JSON.parse(quoteBigIntegers(text)) };
  } catch (error) {
    // NB: the failure is the result: the caller turns it into ZOOM_BAD_RESPONSE, never a crash.
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export function quoteBigIntegers(text: string): string {
  let out = "";
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = skipString(text, i);
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const end = numberEnd(text, i);
      const literal = text.slice(i, end);
      if (/^-?\d+$/.test(literal) && literal.replace("-", "").length >= UNSAFE_DIGITS && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(copiedUpTo, i)}"${literal}"`;
        copiedUpTo = end;
      }
      i = end;
      continue;
    }
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return i;
}

function numberEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && /[0-9eE.+-]/.test(text[i] ?? "")) i++;
  return i;
}

/** A meeting id as decimal digits, whether it arrived quoted (big) or as a safe number. */
export function meetingIdOf(value: unknown): string | undefined {
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

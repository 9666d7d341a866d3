import { randomInt } from "node:crypto";
import { z } from "zod";

/**
 * Generated passcodes that the host's rules accept. Zoom keeps them per user in
 * `GET /users/{id}/settings` (ZOOM.md "Passcodes"): a minimum length, required character classes,
 * numeric-only, and a cap on consecutive identical characters. Zoom's passcodes are at most 10
 * characters of `[a-zA-Z0-9@-_*]`.
 */

export interface PasscodeRules {
  readonly length: number;
  readonly letter: boolean;
  readonly upperAndLower: boolean;
  readonly number: boolean;
  readonly special: boolean;
  readonly numericOnly: boolean;
  /** Longest run of one character allowed (0: no limit). */
  readonly maxRun: number;
}

export const MAX_PASSCODE_LENGTH = 10;
export const DEFAULT_RULES: PasscodeRules = {
  length: 0,
  letter: false,
  upperAndLower: false,
  number: false,
  special: false,
  numericOnly: false,
  maxRun: 0,
};

const Requirement = z.looseObject({
  length: z.number().optional(),
  have_letter: z.boolean().optional(),
  have_upper_and_lower_characters: z.boolean().optional(),
  have_number: z.boolean().optional(),
  have_special_character: z.boolean().optional(),
  only_allow_numeric: z.boolean().optional(),
  consecutive_characters_length: z.number().optional(),
});

/** NB: Zoom has moved the requirement between sections over the years; every known place is read. */
export function passcodeRulesOf(settings: unknown): PasscodeRules {
  const s = (settings ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const candidate =
    s.meeting_security?.meeting_password_requirement ??
    s.schedule_meeting?.meeting_password_requirement ??
    s.security?.password_requirement;
  const parsed = Requirement.safeParse(candidate ?? {});
  if (!parsed.success) return DEFAULT_RULES;
  const r = parsed.data;
  return {
    length: Math.min(r.length ?? 0, MAX_PASSCODE_LENGTH),
    letter: r.have_letter === true,
    upperAndLower: r.have_upper_and_lower_characters === true,
    number: r.have_number === true,
    special: r.have_special_character === true,
    numericOnly: r.only_allow_numeric === true,
    maxRun: r.consecutive_characters_length ?? 0,
  };
}

const LOWER = "abcdefghijkmnpqrstuvwxyz";
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";
const ALL_DIGITS = "0123456789";
const SPECIAL = "@-_*";

/** Pure given `pick`: 10 characters (Zoom's maximum, above any minimum) satisfying the rules. */
export function generatePasscode(rules: PasscodeRules, pick: (n: number) => number = randomInt): string {
  const length = MAX_PASSCODE_LENGTH;
  const required = rules.numericOnly
    ? [ALL_DIGITS]
    : [
        ...(rules.letter || rules.upperAndLower ? [LOWER] : []),
        ...(rules.upperAndLower ? [UPPER] : []),
        ...(rules.number ? [DIGITS] : []),
        ...(rules.special ? [SPECIAL] : []),
      ];
  const alphabet = rules.numericOnly ? ALL_DIGITS : `${LOWER}${UPPER}${DIGITS}${rules.special ? SPECIAL : ""}`;
  for (;;) {
    const chars = [...required.map((set) => charOf(set, pick))];
    while (chars.length < length) chars.push(charOf(alphabet, pick));
    shuffle(chars, pick);
    const code = chars.join("");
    if (satisfies(code, rules)) return code;
  }
}

export function satisfies(code: string, rules: PasscodeRules): boolean {
  if (code.length < rules.length || code.length > MAX_PASSCODE_LENGTH || !/^[a-zA-Z0-9@\-_*]+$/.test(code)) return false;
  if (rules.numericOnly && !/^\d+$/.test(code)) return false;
  if (rules.letter && !/[a-zA-Z]/.test(code)) return false;
  if (rules.upperAndLower && !(/[a-z]/.test(code) && /[A-Z]/.test(code))) return false;
  if (rules.number && !/\d/.test(code)) return false;
  if (rules.special && !/[@\-_*]/.test(code)) return false;
  return rules.maxRun <= 0 || longestRun(code) <= rules.maxRun;
}

function longestRun(code: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < code.length; i++) {
    run = i > 0 && code[i] === code[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

function charOf(set: string, pick: (n: number) => number): string {
  return set[pick(set.length)] ?? set[0] ?? "0";
}

function shuffle(chars: string[], pick: (n: number) => number): void {
  for (let i = chars.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
}

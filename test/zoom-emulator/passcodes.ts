import { createHash, randomInt } from "node:crypto";
import type { PasswordRequirement } from "./seed.ts";

/**
 * A host's passcode rules (`GET /users/{id}/settings`, `meeting_password_requirement`). Zoom's
 * docs name the fields but not how each is checked; the readings here are the emulator's:
 * - `length` is a minimum (Zoom's own maximum of 10 still applies, meeting-body.ts);
 * - "special character" is one of Zoom's passcode alphabet besides letters and digits: `@ - _ *`;
 * - `consecutive_characters_length` n > 0 refuses a run of n or more identical or consecutive
 *   characters (`aaaa`, `1234`), the documented intent of "consecutive characters".
 */
const SPECIAL = "@-_*";

/** What is wrong with a passcode under a requirement; empty when it is acceptable. */
export function passcodeProblems(password: string, rule: PasswordRequirement): string[] {
  const problems: string[] = [];
  if (password.length < rule.length) problems.push(`must be at least ${rule.length} characters`);
  if (rule.only_allow_numeric && !/^\d*$/.test(password)) problems.push("must contain only numbers");
  if (rule.have_letter && !/[a-zA-Z]/.test(password)) problems.push("must contain a letter");
  if (rule.have_number && !/\d/.test(password)) problems.push("must contain a number");
  if (rule.have_special_character && !/[@\-_*]/.test(password)) problems.push("must contain a special character (@ - _ *)");
  if (rule.have_upper_and_lower_characters && !(/[a-z]/.test(password) && /[A-Z]/.test(password)))
    problems.push("must contain upper and lower case letters");
  if (rule.consecutive_characters_length > 0 && hasRun(password, rule.consecutive_characters_length))
    problems.push(`must not contain ${rule.consecutive_characters_length} consecutive characters`);
  return problems;
}

function hasRun(text: string, limit: number): boolean {
  let same = 1;
  let rising = 1;
  for (let i = 1; i < text.length; i++) {
    const step = text.charCodeAt(i) - text.charCodeAt(i - 1);
    same = step === 0 ? same + 1 : 1;
    rising = step === 1 ? rising + 1 : 1;
    if (same >= limit || rising >= limit) return true;
  }
  return false;
}

const LOWER = "abcdefghijkmnpqrstuvwxyz";
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";

/** A passcode Zoom would generate for the host: meets every rule, never longer than 10. */
export function generatePasscode(rule: PasswordRequirement, pick: (max: number) => number = randomInt): string {
  const length = Math.min(10, Math.max(rule.length, 6));
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = rule.only_allow_numeric ? numeric(length, pick) : mixed(length, rule, pick);
    if (passcodeProblems(candidate, rule).length === 0) return candidate;
  }
  throw new Error("zoom-emulator: no passcode satisfies the host's requirement");
}

function numeric(length: number, pick: (max: number) => number): string {
  return Array.from({ length }, () => "0123456789"[pick(10)]).join("");
}

function mixed(length: number, rule: PasswordRequirement, pick: (max: number) => number): string {
  const required = [LOWER, UPPER, DIGITS, ...(rule.have_special_character ? [SPECIAL] : [])];
  const chars = required.map((set) => set[pick(set.length)] ?? "");
  const all = LOWER + UPPER + DIGITS;
  while (chars.length < length) chars.push(all[pick(all.length)] ?? "");
  for (let i = chars.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? "", chars[i] ?? ""];
  }
  return chars.join("");
}

/**
 * The phone (PSTN/H.323) passcode: Zoom derives a numeric one when the passcode has letters. How it
 * derives it is not documented; the emulator hashes the passcode to as many digits (at least 6).
 */
export function phonePasscode(password: string): string {
  if (/^\d+$/.test(password)) return password;
  const digest = createHash("sha256").update(password).digest();
  return Array.from({ length: Math.max(6, password.length) }, (_, i) => String((digest[i] ?? 0) % 10)).join("");
}

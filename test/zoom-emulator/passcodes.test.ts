import { describe, expect, it } from "vitest";
import { generatePasscode, passcodeProblems, phonePasscode } from "./passcodes.ts";
import { type PasswordRequirement, passwordRequirementSchema } from "./seed.ts";

const rule = (fields: Partial<PasswordRequirement>): PasswordRequirement => passwordRequirementSchema.parse(fields);

describe("a host's passcode requirement", () => {
  it.each<[string, Partial<PasswordRequirement>, string, string]>([
    ["too short", { length: 8 }, "abc123", "at least 8"],
    ["letters under only_allow_numeric", { only_allow_numeric: true }, "12345a", "only numbers"],
    ["no letter", { have_letter: true }, "123456", "a letter"],
    ["no number", { have_number: true }, "abcdef", "a number"],
    ["no special character", { have_special_character: true }, "abc123", "special character"],
    ["one case only", { have_upper_and_lower_characters: true }, "abc123", "upper and lower"],
    ["a run of consecutive characters", { consecutive_characters_length: 4 }, "x1234y", "4 consecutive"],
  ])("refuses a passcode with %s", (_name, fields, password, problem) => {
    expect(passcodeProblems(password, rule(fields)).join(" ")).toContain(problem);
  });

  it("accepts a passcode meeting every rule", () => {
    const strict = rule({
      length: 8,
      have_letter: true,
      have_number: true,
      have_special_character: true,
      have_upper_and_lower_characters: true,
    });
    expect(passcodeProblems("aB3@xY7_", strict)).toEqual([]);
  });

  it.each<[string, Partial<PasswordRequirement>]>([
    ["the defaults", {}],
    ["numeric only, 10 digits", { only_allow_numeric: true, length: 10 }],
    [
      "every character class",
      { length: 9, have_letter: true, have_number: true, have_special_character: true, have_upper_and_lower_characters: true },
    ],
    ["no runs of 3", { consecutive_characters_length: 3, have_number: true }],
  ])("generates passcodes that meet %s", (_name, fields) => {
    const requirement = rule(fields);
    for (let i = 0; i < 50; i++) {
      const passcode = generatePasscode(requirement);
      expect(passcodeProblems(passcode, requirement)).toEqual([]);
      expect(passcode.length).toBeLessThanOrEqual(10);
      expect(passcode).toMatch(/^[a-zA-Z0-9@\-_*]+$/);
    }
  });

  it("derives a numeric phone passcode from one with letters, and keeps a numeric one", () => {
    expect(phonePasscode("aB3xY7zz")).toMatch(/^\d{8}$/);
    expect(phonePasscode("aB3xY7zz")).toBe(phonePasscode("aB3xY7zz"));
    expect(phonePasscode("123456")).toBe("123456");
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, generatePasscode, type PasscodeRules, passcodeRulesOf, satisfies } from "./passcode.ts";

const rules = (r: Partial<PasscodeRules>): PasscodeRules => ({ ...DEFAULT_RULES, ...r });

describe("generated passcodes", () => {
  const cases: { name: string; rules: PasscodeRules; pattern: RegExp }[] = [
    { name: "no requirement", rules: DEFAULT_RULES, pattern: /^[a-zA-Z0-9]{10}$/ },
    { name: "numeric only", rules: rules({ numericOnly: true, length: 8 }), pattern: /^\d{10}$/ },
    { name: "a special character", rules: rules({ special: true }), pattern: /[@\-_*]/ },
    { name: "upper and lower case", rules: rules({ upperAndLower: true }), pattern: /(?=.*[a-z])(?=.*[A-Z])/ },
  ];
  for (const c of cases)
    it(`meet the host's rule: ${c.name}, every time`, () => {
      for (let i = 0; i < 200; i++) {
        const code = generatePasscode(c.rules);
        expect(code).toMatch(c.pattern);
        expect(satisfies(code, c.rules)).toBe(true);
      }
    });

  it("never repeat a character more often in a row than the host allows", () => {
    const once = rules({ numericOnly: true, maxRun: 1 });
    for (let i = 0; i < 200; i++) expect(generatePasscode(once)).not.toMatch(/(.)\1/);
  });

  it("read the requirement wherever Zoom's settings put it, and cap the length at Zoom's 10", () => {
    const requirement = { length: 12, only_allow_numeric: true, consecutive_characters_length: 4 };
    expect(passcodeRulesOf({ meeting_security: { meeting_password_requirement: requirement } })).toMatchObject({
      length: 10,
      numericOnly: true,
      maxRun: 4,
    });
    expect(passcodeRulesOf({ schedule_meeting: { meeting_password_requirement: { have_special_character: true } } }).special).toBe(true);
    expect(passcodeRulesOf(undefined)).toEqual(DEFAULT_RULES);
  });
});

import { describe, expect, it } from "vitest";
import { closingLine } from "./closing-line-reporter.ts";

describe("the closing line CI reads", () => {
  it("is the plain 'N passed, N failed, N skipped' form", () => {
    expect(closingLine({ passed: 1238, failed: 0, skipped: 2 }, 0)).toBe("1238 passed, 0 failed, 2 skipped");
  });

  it("counts unhandled errors as failures, so a run with one never reads clean", () => {
    expect(closingLine({ passed: 5, failed: 1, skipped: 0 }, 2)).toBe("5 passed, 3 failed, 0 skipped");
  });
});

import { mkdirSync, writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

// CI reads a run's closing line to learn how many tests ran, and vitest's own summary
// ("Tests  1238 passed (1238)") is not a form it reads; this reporter adds the plain one
// ("N passed, N failed, N skipped", alone on its line) and keeps it in test-artifacts/ for .ci/run to print last
// (vitest may print teardown notices after the reporters).
export const CLOSING_LINE_FILE = "test-artifacts/closing-line.txt";

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countTests(modules: ReadonlyArray<TestModule>): Counts {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed") counts.failed++;
      else counts.skipped++;
    }
  }
  return counts;
}

export function closingLine(counts: Counts, unhandledErrors: number): string {
  // an unhandled error fails the run as a test would: count it so the line never reads clean then
  return `${counts.passed} passed, ${counts.failed + unhandledErrors} failed, ${counts.skipped} skipped`;
}

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const line = closingLine(countTests(modules), unhandledErrors.length);
    mkdirSync("test-artifacts", { recursive: true });
    writeFileSync(CLOSING_LINE_FILE, `${line}\n`);
    process.stdout.write(`\n${line}\n`);
  }
}

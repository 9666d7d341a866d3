// `npm run bench:operator` is a documented command that once hung for ever (its tenants never Ready
// after Ready came to need an admitted Ingress) with no test noticing: the smallest run, end to end,
// on its own control plane. The figures are the benchmark's business; this checks that it finishes
// and reports every column for its one N.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

function runBench(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["test/bench/operator-bench.ts", ...args],
      { timeout: 300_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
    child.stdin?.end();
  });
}

describe("npm run bench:operator", () => {
  it("runs its smallest configuration to the end and prints the row for its N", async () => {
    const { code, out } = await runBench([
      "--tenants",
      "2",
      "--foreign-secrets",
      "10",
      "--foreign-configmaps",
      "5",
      "--steady-seconds",
      "15",
      "--edits",
      "2",
    ]);
    expect(code, out.slice(-3000)).toBe(0);
    const row = out.split("\n").find((l) => /^\| 2 \|/.test(l));
    expect(row, out.slice(-3000)).toBeDefined();
    // every column has a figure: a dash or an empty cell would mean a phase that did not finish
    expect(
      row
        ?.split("|")
        .slice(1, -1)
        .every((cell) => /\d/.test(cell)),
    ).toBe(true);
  }, 330_000);
});

// The service's process never loads @kubernetes/client-node (its import alone costs ~70 MiB of RSS):
// `main.ts --help` loads the whole static import graph and exits, so a resolve hook sees every
// package the running service would load at start. The operator, which does use client-node, is
// the control that shows the check can fail.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const HOOK = `data:text/javascript,${encodeURIComponent(
  `import { registerHooks } from "node:module";
   registerHooks({ resolve(specifier, context, next) {
     if (/^(@[^/]+\\/)?[^./][^/]*/.test(specifier) && !specifier.startsWith("node:")) process.stderr.write("[package] " + specifier + "\\n");
     return next(specifier, context);
   } });`,
)}`;

function packagesLoadedBy(entry: string): string[] {
  const run = spawnSync(process.execPath, ["--import", HOOK, entry, "--help"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] },
  });
  expect(run.status, run.stderr).toBe(0);
  return [...run.stderr.matchAll(/^\[package\] (.+)$/gm)].map((m) => m[1] ?? "");
}

describe("what the service process loads", () => {
  it("loads no @kubernetes/client-node module at start (the operator, as a control, does)", () => {
    const service = packagesLoadedBy("service/main.ts");
    expect(service).toContain("express"); // the hook sees the service's packages
    expect(service.filter((p) => p.startsWith("@kubernetes/"))).toEqual([]);
    expect(service.filter((p) => p === "yaml")).toEqual([]);
    expect(packagesLoadedBy("operator/main.ts")).toContain("@kubernetes/client-node");
  });
});

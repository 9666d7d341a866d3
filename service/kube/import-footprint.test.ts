// Neither the service's process nor the operator's loads @kubernetes/client-node (its import alone
// costs 50-70 MiB of RSS): `main.ts --help` loads the whole static import graph and exits, so a
// resolve hook sees every package the running process would load at start. A process that imports
// client-node on purpose is the control that shows the check can fail.
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

function packagesLoadedBy(...args: string[]): string[] {
  const run = spawnSync(process.execPath, ["--import", HOOK, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] },
  });
  expect(run.status, run.stderr).toBe(0);
  return [...run.stderr.matchAll(/^\[package\] (.+)$/gm)].map((m) => m[1] ?? "");
}

const kubernetesPackages = (packages: string[]) => packages.filter((p) => p.startsWith("@kubernetes/"));

describe("what the processes load at start", () => {
  it("the service loads no @kubernetes/client-node module (nor yaml)", () => {
    const service = packagesLoadedBy("service/main.ts", "--help");
    expect(service).toContain("express"); // the hook sees the service's packages
    expect(kubernetesPackages(service)).toEqual([]);
    expect(service.filter((p) => p === "yaml")).toEqual([]);
  });

  it("the operator loads no @kubernetes/client-node module", () => {
    const operator = packagesLoadedBy("operator/main.ts", "--help");
    expect(operator).toContain("undici"); // the hook sees the operator's packages
    expect(kubernetesPackages(operator)).toEqual([]);
  });

  it("sees client-node when a process imports it (the control: the check can fail)", () => {
    const control = packagesLoadedBy("--input-type=module", "-e", 'import "@kubernetes/client-node";');
    expect(kubernetesPackages(control)).toContain("@kubernetes/client-node");
  });
});

// What the container image runs, without a Docker engine: the Dockerfile's build step (tsc with
// tsconfig.build.json) into a temp directory laid out like the image's /app, then both entrypoints.
// NB: node_modules is the repo's (a symlink), not `npm ci --omit=dev`: that would take minutes.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_ARGS } from "../../charts/install/install-chart.ts";
import { CONTAINER_ARGS } from "../../common/tenant/contract.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
let app = "";
let entrypoint = "";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: tmpdir(), env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The image's entrypoint, read from the Dockerfile's exec-form ENTRYPOINT: ["node", "/app/<file>"]. */
async function dockerEntrypoint(): Promise<string> {
  const dockerfile = await readFile(join(root, "Dockerfile"), "utf8");
  const line = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  const [program, script] = JSON.parse(line ?? "[]") as string[];
  if (program !== "node" || !script?.startsWith("/app/")) throw new Error(`unexpected ENTRYPOINT ${line}`);
  return script.slice("/app/".length);
}

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), "zio-image-"));
  const tsc = await run(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json"), "--outDir", app]);
  if (tsc.code !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  // As the Dockerfile: package.json next to the code (it says "type": "module"), then node_modules.
  await cp(join(root, "package.json"), join(app, "package.json"));
  await symlink(join(root, "node_modules"), join(app, "node_modules"), "dir");
  entrypoint = join(app, await dockerEntrypoint());
}, 120_000);
afterAll(async () => {
  if (app) await rm(app, { recursive: true, force: true });
});

describe("the image's build output", { timeout: 60_000 }, () => {
  it("holds the Dockerfile's entrypoint and production code only, no tests or test support", async () => {
    const built = await files(app);
    expect(built).toContain(relative(app, entrypoint));
    expect(built.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(50);
    expect(built.filter((f) => /\.test\.js$|test-fixtures|test-support|bench\.js$|^test\//.test(f))).toEqual([]);
    expect(built.filter((f) => f.endsWith(".ts"))).toEqual([]);
  });

  it("starts the operator with the install Deployment's arguments", async () => {
    const res = await run(process.execPath, [entrypoint, ...OPERATOR_ARGS, "--help"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("WATCH_NAMESPACES");
  });

  it("starts the service with the tenant Deployment's arguments", async () => {
    const res = await run(process.execPath, [entrypoint, ...CONTAINER_ARGS, "--help"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/service/i);
  });

  it("passes the remaining flags to the operator, which parses them strictly", async () => {
    const res = await run(process.execPath, [entrypoint, "operator", "--workers", "0"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("WORKERS");
  });

  it("refuses a missing or unknown command with exit code 2 and the usage", async () => {
    for (const args of [[], ["migrate"]]) {
      const res = await run(process.execPath, [entrypoint, ...args]);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr).toContain("Usage: zoom-integration <operator|service>");
    }
  });

  it("writes nothing next to its code (the image's root filesystem is read-only)", async () => {
    const before = await files(app);
    await run(process.execPath, [entrypoint, "operator", "--help"]);
    await run(process.execPath, [entrypoint, "service", "--help"]);
    expect(await files(app)).toEqual(before);
  });
});

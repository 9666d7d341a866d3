// What the container image runs, without a Docker engine: the Dockerfile's build step (scripts/build.ts:
// the esbuild bundle) into a temp directory laid out like the image's /app, then both entrypoints.
// NB: no node_modules anywhere above it (the image has none): the bundle must hold every package.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_ARGS } from "../../charts/install/install-chart.ts";
import { CONTAINER_ARGS } from "../../common/tenant/contract.ts";
import { imageEntrypoint, imageNodeFlags } from "../support/image-env.ts";

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

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), "zio-image-"));
  // NB: the type check is the check tier's (npm run check); the bundle alone is what the image copies.
  const build = await run(process.execPath, [join(root, "scripts/build.ts"), "--outdir", app, "--no-typecheck"]);
  if (build.code !== 0) throw new Error(`scripts/build.ts failed:\n${build.stdout}${build.stderr}`);
  entrypoint = join(app, relative("/app", imageEntrypoint().script));
}, 120_000);
afterAll(async () => {
  if (app) await rm(app, { recursive: true, force: true });
});

describe("the image's build output", { timeout: 60_000 }, () => {
  it("holds the Dockerfile's entrypoint and production code only: no tests, no test support, no node_modules", async () => {
    const built = await files(app);
    expect(built).toContain(relative(app, entrypoint));
    expect(built).toContain("package.json");
    expect(JSON.parse(await readFile(join(app, "package.json"), "utf8"))).toEqual({ type: "module" });
    expect(built.filter((f) => f.startsWith("node_modules/"))).toEqual([]);
    expect(built.filter((f) => /\.test\.js$|test-fixtures|test-support|bench\.js$|^test\//.test(f))).toEqual([]);
    expect(built.filter((f) => f.endsWith(".ts"))).toEqual([]);
  });

  it("loads every chunk without node_modules (client-node's too, which only an unusual kubeconfig loads)", async () => {
    // NB: the entry files run the programs (the tests below start them); the chunks only define modules.
    const chunks = (await files(app)).filter((f) => !f.includes("/") && f.endsWith(".js"));
    expect(chunks.length).toBeGreaterThan(1);
    const script = `for (const f of ${JSON.stringify(chunks)}) await import(${JSON.stringify(`${app}/`)} + f);`;
    const res = await run(process.execPath, ["--input-type=module", "-e", script]);
    expect(res.code, res.stderr).toBe(0);
  });

  it("starts the operator with the install Deployment's arguments", async () => {
    const res = await run(process.execPath, [...imageNodeFlags(), entrypoint, ...OPERATOR_ARGS, "--help"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("WATCH_NAMESPACES");
  });

  it("starts the service with the tenant Deployment's arguments", async () => {
    const res = await run(process.execPath, [...imageNodeFlags(), entrypoint, ...CONTAINER_ARGS, "--help"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/service/i);
  });

  it("reads a YAML kubeconfig (the yaml package, bundled as CommonJS) and names the unreachable server", async () => {
    const kubeconfig = join(app, "..", `${app.split("/").pop()}-kubeconfig.yaml`);
    const yaml = [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9', insecure-skip-tls-verify: true}}]",
      "users: [{name: u, user: {token: not-a-real-token}}]",
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
      "current-context: x",
    ].join("\n");
    await writeFile(kubeconfig, yaml);
    try {
      const res = await run(process.execPath, [...imageNodeFlags(), entrypoint, "operator"], {
        KUBECONFIG: kubeconfig,
        LEADER_ELECT: "false",
      });
      expect(res.code).not.toBe(0);
      expect(res.stdout + res.stderr).toContain("127.0.0.1:9");
      expect(res.stdout + res.stderr).not.toContain("is not a function");
    } finally {
      await rm(kubeconfig, { force: true });
    }
  });

  it("passes the remaining flags to the operator, which parses them strictly", async () => {
    const res = await run(process.execPath, [...imageNodeFlags(), entrypoint, "operator", "--workers", "0"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("WORKERS");
  });

  it("refuses a missing or unknown command with exit code 2 and the usage", async () => {
    for (const args of [[], ["migrate"]]) {
      const res = await run(process.execPath, [...imageNodeFlags(), entrypoint, ...args]);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr).toContain("Usage: zoom-integration <operator|service>");
    }
  });

  it("writes nothing next to its code (the image's root filesystem is read-only)", async () => {
    const before = await files(app);
    await run(process.execPath, [...imageNodeFlags(), entrypoint, "operator", "--help"]);
    await run(process.execPath, [...imageNodeFlags(), entrypoint, "service", "--help"]);
    expect(await files(app)).toEqual(before);
  });
});

// The layout rule, checked: every import points down.
//   common/   the contract both sides share (API, tenant contract, Kubernetes and Zoom helpers): imports nothing above it
//   charts/   pure desired state (cdk8s): imports common/
//   service/  the per-tenant service: imports common/
//   operator/ the controller: imports charts/ and common/
//   bin/      the image's entry point: production, so anything but test/
//   scripts/, test/   dev tooling and the test bed: anything; nothing in production imports them
// Tests beside the code (`*.test.ts`, `test-fixtures.ts`) are not production: they may import any layer (to check that
// two layers agree, e.g. the operator's RBAC and its caches) and the test bed.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const SKIP = new Set(["node_modules", ".tools", "build", "dist", ".git"]);
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  common: ["common"],
  charts: ["charts", "common"],
  service: ["service", "common"],
  operator: ["operator", "charts", "common"],
  bin: ["bin", "operator", "service", "charts", "common"],
  scripts: ["scripts", "bin", "operator", "service", "charts", "common", "test"],
  test: ["test", "bin", "operator", "service", "charts", "common", "scripts"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative module specifiers of `file`: static imports and re-exports, `import()` and `vi.mock()`. */
function relativeImports(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom|^\s*import|\bimport\s*\(|\bvi\.mock\s*\()\s*["'](\.{1,2}\/[^"']+)["']/gm);
  return [...found].map((m) => m[1] ?? "");
}

const isTestCode = (file: string) => /\.test\.ts$|(^|\/)test-fixtures\.ts$/.test(file);
const layerOf = (file: string) => file.split("/")[0] ?? "";

interface Edge {
  readonly from: string;
  readonly to: string;
}

function edges(): Edge[] {
  const files = Object.keys(ALLOWED).flatMap((layer) => sourceFiles(layer));
  return files.flatMap((from) =>
    relativeImports(readFileSync(join(ROOT, from), "utf8")).map((spec) => ({ from, to: normalize(join(dirname(from), spec)) })),
  );
}

function climbs(edge: Edge): boolean {
  const allowed = ALLOWED[layerOf(edge.from)] ?? [];
  if (isTestCode(edge.from)) return false;
  return !allowed.includes(layerOf(edge.to));
}

/** Import cycles among production files (type-only imports included: they couple the files too). */
function cycles(all: readonly Edge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of all) if (!isTestCode(e.from) && !isTestCode(e.to)) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  const state = new Map<string, "open" | "done">();
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

describe("the layout rule", () => {
  const all = edges();

  it("finds the imports it checks (the scan itself works)", () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all).toContainEqual({ from: "operator/controller/reconciler.ts", to: "charts/tenant/render.ts" });
  });

  it("has no import that climbs: operator and service never import each other, charts never the operator, production never the test bed", () => {
    const offending = all.filter(climbs).map((e) => `${e.from} -> ${e.to}`);
    expect(offending).toEqual([]);
  });

  it("has no import cycle between production files", () => {
    expect(cycles(all).map((c) => c.join(" -> "))).toEqual([]);
  });

  it("refuses the imports it exists to catch", () => {
    const bad: Edge[] = [
      { from: "service/service.ts", to: "operator/config.ts" },
      { from: "operator/main.ts", to: "service/config.ts" },
      { from: "charts/install/helm-chart.ts", to: "operator/config.ts" },
      { from: "common/logger.ts", to: "charts/tenant/render.ts" },
      { from: "service/meetings/meetings.ts", to: "test/zoom-emulator/index.ts" },
      { from: "bin/zoom-integration.ts", to: "test/support/service-harness.ts" },
    ];
    expect(bad.filter(climbs)).toEqual(bad);
    expect(climbs({ from: "service/meetings/router.test.ts", to: "test/support/meetings-support.ts" })).toBe(false);
    expect(cycles([...bad.slice(0, 1), { from: "operator/config.ts", to: "service/service.ts" }])).toHaveLength(1);
  });

  it("reads every kind of relative import", () => {
    const source = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      'export { c } from "./c.ts";',
      'import "./side-effect.ts";',
      'const d = await import("./d.ts");',
      'vi.mock("../e.ts");',
      'import { z } from "zod";',
    ].join("\n");
    expect(relativeImports(source)).toEqual(["./a.ts", "../b.ts", "./c.ts", "./side-effect.ts", "./d.ts", "../e.ts"]);
  });
});

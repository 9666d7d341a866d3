// The environment the container image gives its programs: the ENV instructions of the Dockerfile's
// last stage (the runtime). The benchmarks start the operator with it, so they measure what a pod
// runs (e.g. the jemalloc allocator the image preloads), with the Dockerfile as the one source.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../cluster/paths.ts";

/** KEY=value pairs of the runtime stage's ENV lines (unquoted values, as the Dockerfile writes them). */
export function parseImageEnv(dockerfile: string): Record<string, string> {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n");
  const lastFrom = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const env: Record<string, string> = {};
  for (const line of lines.slice(lastFrom + 1)) {
    const m = /^ENV\s+(.*)$/i.exec(line.trim());
    if (!m) continue;
    for (const word of m[1]!.trim().split(/\s+/)) {
      const pair = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'\s]*)$/.exec(word);
      if (!pair) throw new Error(`Dockerfile: ENV ${m[1]}: expected KEY=value words without quotes, got "${word}"`);
      env[pair[1]!] = pair[2]!;
    }
  }
  return env;
}

export const imageEnv = (): Record<string, string> => parseImageEnv(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));

/** Whether a running process has jemalloc mapped (the image's LD_PRELOAD took effect). */
export function usesJemalloc(pid: number): boolean {
  return readFileSync(`/proc/${pid}/maps`, "utf8").includes("libjemalloc");
}

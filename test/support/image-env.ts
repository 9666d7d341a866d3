// The environment the container image gives its programs: the ENV instructions of the Dockerfile's
// last stage (the runtime) and the node flags of its ENTRYPOINT. The benchmarks start the operator
// with both, so they measure what a pod runs (the jemalloc allocator the image preloads, V8's
// --optimize-for-size), with the Dockerfile as the one source.
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

/**
 * The runtime stage's ENTRYPOINT (exec form, `["node", flags..., script]`): the flags it gives node
 * (V8 flags that NODE_OPTIONS refuses, such as --optimize-for-size, can only be set there) and the
 * script it runs.
 */
export function parseImageEntrypoint(dockerfile: string): { readonly nodeFlags: string[]; readonly script: string } {
  const lines = dockerfile.split("\n");
  const lastFrom = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const entrypoints = lines.slice(lastFrom + 1).flatMap((l) => /^ENTRYPOINT\s+(.*)$/i.exec(l.trim())?.[1] ?? []);
  const last = entrypoints.at(-1);
  const words: unknown = last === undefined ? undefined : JSON.parse(last);
  const strings = Array.isArray(words) && words.every((w) => typeof w === "string") ? (words as string[]) : [];
  const script = strings.at(-1);
  if (strings[0] !== "node" || strings.length < 2 || script === undefined || script.startsWith("-"))
    throw new Error(`Dockerfile: expected ENTRYPOINT ["node", flags..., script] in the last stage, got ${last ?? "none"}`);
  return { nodeFlags: strings.slice(1, -1), script };
}

const dockerfile = () => readFileSync(join(repoRoot, "Dockerfile"), "utf8");
export const imageEnv = (): Record<string, string> => parseImageEnv(dockerfile());
export const imageEntrypoint = () => parseImageEntrypoint(dockerfile());
export const imageNodeFlags = (): string[] => imageEntrypoint().nodeFlags;

/** Whether a running process has jemalloc mapped (the image's LD_PRELOAD took effect). */
export function usesJemalloc(pid: number): boolean {
  return readFileSync(`/proc/${pid}/maps`, "utf8").includes("libjemalloc");
}

// The service as the image ships it, for tests that measure its memory: `npm run build`'s output
// (scripts/build.ts: the bundle, which needs no node_modules) in a temporary directory, run with the
// heap limit a pod gets. NB: the TypeScript source run directly costs ~30 MiB more RSS
// (Node's type stripping), and the chart's percentage flag is a share of the container's memory
// limit, which a process on the test machine does not have (it would get 40% of the host's memory,
// and V8 lets garbage pile up far longer under such a limit than under a pod's).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_NODE_OPTIONS } from "../../charts/tenant/pod-template.ts";
import { TENANT_DEFAULTS } from "../../charts/tenant/props.ts";
import { repoRoot } from "../cluster/paths.ts";
import { imageNodeFlags } from "./image-env.ts";

export interface ServiceBuild {
  readonly dir: string;
  /** Program and arguments that run the service from the build, as the image's entrypoint does (its node flags too). */
  readonly command: readonly string[];
  remove(): void;
}

export function compileService(): ServiceBuild {
  const dir = mkdtempSync(join(tmpdir(), "zio-service-build-"));
  execFileSync(process.execPath, [join(repoRoot, "scripts/build.ts"), "--outdir", dir, "--no-typecheck"], { cwd: repoRoot, stdio: "pipe" });
  return {
    dir,
    command: [process.execPath, ...imageNodeFlags(), join(dir, "bin/zoom-integration.js"), "service"],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const MIB = { Mi: 1, Gi: 1024 } as const;

/** SERVICE_NODE_OPTIONS with the heap share turned into the size it gives under `limit` (default: the chart's 256Mi). */
export function podNodeOptions(limit: string = TENANT_DEFAULTS.limits.memory): string {
  const match = /^(\d+)(Mi|Gi)$/.exec(limit);
  if (!match) throw new Error(`podNodeOptions: a memory limit in Mi or Gi, not ${limit}`);
  const limitMiB = Number(match[1]) * MIB[match[2] as keyof typeof MIB];
  return SERVICE_NODE_OPTIONS.replace(/--max-old-space-size-percentage=(\d+)/, (_, percent: string) => {
    return `--max-old-space-size=${Math.floor((limitMiB * Number(percent)) / 100)}`;
  });
}

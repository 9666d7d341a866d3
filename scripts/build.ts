// npm run build [-- --outdir DIR]: what the image runs. Type-checks (tsc, tsconfig.build.json), then
// bundles bin/zoom-integration.ts (and each program: operator/main.js, service/main.js) with esbuild
// into DIR (default build/): ES modules split by entry
// (the operator and the service load only their own code; client-node, which only an unusual
// kubeconfig needs, is a chunk of its own, loaded then), whitespace and syntax minified.
// Why a bundle (measured with test/bench/operator-memory.ts, the busy-cluster fixture): Node keeps the
// source text of every module it loads and loads each CommonJS package file by file; the tsc output
// with node_modules cost the operator 19 MiB more RSS before any tenant existed and 29 MiB more at
// 1,000 tenants (README, "The image").
// Identifiers are kept, so a logged stack trace still names its functions.
import { execFileSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

const HELP = `Usage: npm run build -- [--outdir DIR] [--no-typecheck]

Type-checks the program (tsc -p tsconfig.build.json) and bundles bin/zoom-integration.ts (the
image's entrypoint: \`operator\` or \`service\`) with esbuild into DIR (default build/), with a
package.json that marks it as ES modules. The bundle needs no node_modules.
`;

function parse() {
  try {
    return parseArgs({
      options: {
        outdir: { type: "string", default: join(repoRoot, "build") },
        "no-typecheck": { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`[build] ${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
}
const values = parse();
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

if (!values["no-typecheck"]) {
  console.error("[build] type-checking (tsc -p tsconfig.build.json --noEmit) ...");
  try {
    execFileSync(join(repoRoot, "node_modules/.bin/tsc"), ["-p", join(repoRoot, "tsconfig.build.json"), "--noEmit"], { stdio: "inherit" });
  } catch {
    process.stderr.write("[build] the type check failed (tsc's errors above): nothing was bundled\n");
    process.exit(1);
  }
}
await rm(values.outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: repoRoot,
  // NB: the programs are entries too (build/operator/main.js runs the operator alone, as the benchmark does).
  entryPoints: {
    "bin/zoom-integration": "bin/zoom-integration.ts",
    "operator/main": "operator/main.ts",
    "service/main": "service/main.ts",
  },
  outdir: values.outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // NB: CommonJS packages in an ES module bundle still call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __zioRequire } from "node:module"; const require = __zioRequire(import.meta.url);' },
});
await writeFile(join(values.outdir, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
const outputs = Object.entries(result.metafile.outputs);
const kib = outputs.reduce((sum, [, o]) => sum + o.bytes, 0) / 1024;
console.error(`[build] ${outputs.length} files, ${kib.toFixed(0)} KiB in ${values.outdir}`);

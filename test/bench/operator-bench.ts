/**
 * The operator in a busy cluster, on a real control plane: `npm run bench:operator -- --help`.
 * Prints progress, then one table row per N and the ratios. A benchmark: nothing is asserted.
 */
import { HELP, parseBenchArgs } from "./bench-args.ts";
import { runOnce } from "./bench-operator-run.ts";
import type { BenchPlane } from "./bench-plane.ts";
import { details, type RunResult, table } from "./bench-report.ts";

const started = Date.now();
const log = (n: number) => (message: string) => console.log(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s N=${n}] ${message}`);

let current: BenchPlane | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`[bench] ${signal}: stopping the control plane`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseBenchArgs>;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  console.log(
    `[bench] tenants ${args.tenants.join(",")} (a fresh control plane each); fixture ${args.foreignSecrets} Secrets x ${args.secretKb} kB + ${args.foreignConfigMaps} ConfigMaps; steady ${args.steadySeconds} s, resync ${args.resyncSeconds} s, workers ${args.workers}, operator ${args.operatorEntry} with heap cap ${args.operatorHeapMb} MB, V8 flags "${args.operatorV8Flags}"`,
  );
  const results: RunResult[] = [];
  for (const n of args.tenants) {
    const result = await runOnce(args, n, log(n), (plane) => {
      current = plane;
    });
    current = undefined;
    results.push(result);
    console.log(`\n${details(result)}\n`);
  }
  console.log(
    `\nOperator benchmark (fixture: ${args.foreignSecrets} Secrets x ${args.secretKb} kB, ${args.foreignConfigMaps} ConfigMaps; resync ${args.resyncSeconds} s; workers ${args.workers})`,
  );
  console.log(table(results));
  console.log(
    "ratio = time to all Ready / bare apply floor (same run). steady writes: API-server writes to operator-owned resources in the window.",
  );
  for (const r of results) console.log(details(r));
  return 0;
}

process.exitCode = await main();

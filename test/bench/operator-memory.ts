/**
 * Where the operator's memory goes: `node test/bench/operator-memory.ts -- --help`. One control plane
 * with the busy-cluster fixture, N tenants made Ready once, then each operator build of --operator
 * started in turn (alternating, --rounds times) against the same objects: after its catch-up and a
 * settle time it prints RSS (now and the kernel's peak), /proc/<pid>/smaps_rollup, V8's heap used and
 * total, and (--snapshot-dir) writes a heap snapshot to read with heap-summary.ts. Nothing is asserted.
 */
import { readFileSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { parseArgs } from "node:util";
import { counterSum, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { create, namespaceBody, sleep, startBenchPlane } from "./bench-plane.ts";
import { createTenantNamespaces, createTenants, waitAllReady } from "./bench-tenants.ts";
import { createBusyFixture } from "./busy-fixture.ts";

const HELP = `Usage: node test/bench/operator-memory.ts [flags]
  --tenants 100              N ZoomIntegrations (0: the operator with the fixture only)
  --foreign-secrets 2000     --foreign-configmaps 1000   --secret-kb 50
  --operator label=path[:flags]  an operator entry point (repeatable; e.g. after=build/operator/main.js),
                             with node flags of its own after a colon (else --node-options); in
                             them, NAME=value words are environment variables (MALLOC_ARENA_MAX=2)
  --node-options "..."       node flags of the operators (default --max-old-space-size=384)
  --rounds 2                 each operator this many times, alternating
  --settle-seconds 60        after the catch-up, before measuring (resync 15 s meanwhile)
  --measure-empty            also measure each operator once before the tenants exist (round 0)
  --snapshot-dir DIR         also write one heap snapshot per operator run there
`;

const started = Date.now();
const log = (m: string) => console.log(`[memory +${((Date.now() - started) / 1000).toFixed(0)}s] ${m}`);

function status(pid: number): Record<string, number> {
  const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN) / 1024;
  const st = readFileSync(`/proc/${pid}/status`, "utf8");
  const smaps = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  return {
    rss: kb(st, "VmRSS"),
    peak: kb(st, "VmHWM"),
    anon: kb(smaps, "Anonymous"),
    file: kb(st, "RssFile"),
    privateDirty: kb(smaps, "Private_Dirty"),
  };
}

/** Resident MiB per mapping name (the node binary, [heap], anonymous mappings, ...), largest first. */
function residentByMapping(pid: number): string {
  const sums = new Map<string, number>();
  let name = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    // NB: a file's mappings by permissions (the node binary's code, its read-only data, ...).
    if (header) name = header[2] ? `${header[2].split("/").pop()} ${header[1]}` : "[anonymous]";
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(name, (sums.get(name) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...sums]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 8)
    .map(([n, mib]) => `${n} ${mib.toFixed(1)}`)
    .join(", ");
}

async function caughtUp(op: OperatorProcess, n: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const text = await op.metrics();
    const done =
      counterSum(text, "zio_operator_leader") === 1 &&
      counterSum(text, "zio_operator_reconciles_total") >= n &&
      counterSum(text, "zio_operator_queue_depth") === 0 &&
      op.lines.some((l) => l.includes('"controller started"'));
    if (done) return Date.now() - t0;
    if (Date.now() - t0 > 600_000) throw new Error("the operator did not catch up in 600 s");
    await sleep(250);
  }
}

async function measure(label: string, entryAndFlags: string, a: Args, kubeconfigPath: string, round: number): Promise<void> {
  const [entry = "", given = a.nodeOptions] = entryAndFlags.split(/:(.*)/s);
  const words = given.split(/\s+/).filter(Boolean);
  const isEnv = (w: string) => /^[A-Z_][A-Z0-9_]*=/.test(w);
  const flags = words.filter((w) => !isEnv(w));
  const extraEnv = Object.fromEntries(words.filter(isEnv).map((w) => w.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const snapshotArgs = a.snapshotDir ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${a.snapshotDir}/${label}-${round}`] : [];
  if (a.snapshotDir) await mkdir(`${a.snapshotDir}/${label}-${round}`, { recursive: true });
  const op = await startOperator({
    kubeconfigPath,
    identity: `mem-${label}-${round}`,
    // NB: on the command line, not in NODE_OPTIONS: V8 flags such as --optimize-for-size are refused there.
    command: [process.execPath, ...flags, ...snapshotArgs, entry],
    env: { POD_NAMESPACE: "zoom-integration-system", RESYNC_SECONDS: "15", LOG_LEVEL: "info", ...extraEnv },
  });
  try {
    const catchUp = await caughtUp(op, a.tenants);
    await sleep(a.settleSeconds * 1000);
    const s = status(op.pid);
    const text = await op.metrics();
    const heapUsed = counterSum(text, "zio_operator_nodejs_heap_size_used_bytes") / 2 ** 20;
    const heapTotal = counterSum(text, "zio_operator_nodejs_heap_size_total_bytes") / 2 ** 20;
    const external = counterSum(text, "zio_operator_nodejs_external_memory_bytes") / 2 ** 20;
    const writes = counterSum(text, "zio_operator_writes_total");
    const f = (v: number) => v.toFixed(1);
    console.log(
      `[memory] ${label} (${given}) round ${round} N=${a.tenants}: catch-up ${(catchUp / 1000).toFixed(1)} s; RSS ${f(s.rss!)} MiB (peak ${f(s.peak!)}; anon ${f(s.anon!)}, file ${f(s.file!)}); heap used ${f(heapUsed)} / total ${f(heapTotal)} MiB, external ${f(external)} MiB; writes since start ${writes}`,
    );
    console.log(`[memory] ${label} round ${round} resident MiB by mapping: ${residentByMapping(op.pid)}`);
    if (a.snapshotDir) {
      process.kill(op.pid, "SIGUSR2");
      const dir = `${a.snapshotDir}/${label}-${round}`;
      for (let i = 0; i < 240 && (await readdir(dir)).filter((f) => f.endsWith(".heapsnapshot")).length === 0; i++) await sleep(500);
      await sleep(3000); // NB: the file appears before it is complete
      log(`heap snapshot in ${dir}`);
    }
  } finally {
    await op.stop();
  }
}

interface Args {
  tenants: number;
  foreignSecrets: number;
  foreignConfigMaps: number;
  secretKb: number;
  operators: [string, string][];
  nodeOptions: string;
  rounds: number;
  settleSeconds: number;
  snapshotDir?: string;
  measureEmpty: boolean;
}

function parse(argv: string[]): Args | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: "string", default: "100" },
      "foreign-secrets": { type: "string", default: "2000" },
      "foreign-configmaps": { type: "string", default: "1000" },
      "secret-kb": { type: "string", default: "50" },
      operator: { type: "string", multiple: true, default: ["current=operator/main.ts"] },
      "node-options": { type: "string", default: "--max-old-space-size=384" },
      rounds: { type: "string", default: "2" },
      "settle-seconds": { type: "string", default: "60" },
      "snapshot-dir": { type: "string" },
      "measure-empty": { type: "boolean", default: false },
      help: { type: "boolean" },
    },
  });
  if (values.help) return undefined;
  const operators = values.operator.map((o): [string, string] => {
    const [label, entry] = o.split(/=(.*)/s);
    if (!label || !entry) throw new Error(`--operator ${o}: expected label=path`);
    return [label, entry];
  });
  return {
    tenants: Number(values.tenants),
    foreignSecrets: Number(values["foreign-secrets"]),
    foreignConfigMaps: Number(values["foreign-configmaps"]),
    secretKb: Number(values["secret-kb"]),
    operators,
    nodeOptions: values["node-options"],
    rounds: Number(values.rounds),
    settleSeconds: Number(values["settle-seconds"]),
    measureEmpty: values["measure-empty"],
    ...(values["snapshot-dir"] ? { snapshotDir: values["snapshot-dir"] } : {}),
  };
}

const a = parse(process.argv.slice(2).filter((x) => x !== "--"));
if (!a) {
  process.stdout.write(HELP);
  process.exit(0);
}
const plane = await startBenchPlane(a.tenants + 10, log);
try {
  await create(plane.kc, "/api/v1/namespaces", namespaceBody("zoom-integration-system"));
  const fixture = { secrets: a.foreignSecrets, configMaps: a.foreignConfigMaps, secretKb: a.secretKb, concurrency: 16, progress: log };
  await createBusyFixture(plane.kc, fixture);
  if (a.measureEmpty)
    for (const [label, entry] of a.operators) await measure(label, entry, { ...a, tenants: 0 }, plane.state.kubeconfigPath, 0);
  if (a.tenants > 0) {
    await createTenantNamespaces(plane.kc, "tenant", a.tenants, 16);
    const [label, entry] = a.operators[0]!;
    const op = await startOperator({
      kubeconfigPath: plane.state.kubeconfigPath,
      identity: `mem-setup-${label}`,
      command: [process.execPath, entry.split(":")[0]!],
      env: { POD_NAMESPACE: "zoom-integration-system", LOG_LEVEL: "info" },
    });
    await createTenants(plane.kc, plane.zoom.url, a.tenants, 16, log);
    await waitAllReady(plane.kc, a.tenants, { sinceMs: Date.now(), timeoutMs: 600_000, check: () => {}, progress: log });
    await op.stop();
    log(`${a.tenants} tenants Ready`);
  }
  for (let round = 1; round <= a.rounds; round++) {
    for (const [label, entry] of a.operators) await measure(label, entry, a, plane.state.kubeconfigPath, round);
  }
} finally {
  await plane.stop();
}

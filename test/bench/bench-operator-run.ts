// One benchmark run for one N on its own control plane: fixture, operator, tenants, steady state,
// spec edits, restart, then the bare-apply floor. Every operator phase gives up cleanly when the
// operator process dies; the run then reports that and still measures the floor.
import { OPERATOR_MALLOC_ARENAS } from "../../charts/install/install-chart.ts";
import { imageEnv, imageNodeFlags, usesJemalloc } from "../support/image-env.ts";
import { isAlive } from "../cluster/processes.ts";
import { counterSum, type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { FLOOR_PREFIX, measureApplyFloor } from "./apply-floor.ts";
import type { BenchArgs } from "./bench-args.ts";
import { apiserverMetrics, type BenchPlane, create, namespaceBody, sleep, startBenchPlane } from "./bench-plane.ts";
import { createTenantNamespaces, createTenants, injectForeignEnv, MESH_TENANT, timeSpecEdit, waitAllReady } from "./bench-tenants.ts";
import { createBusyFixture } from "./busy-fixture.ts";
import { type RssSampler, sampleRss } from "./rss-sampler.ts";
import {
  formatPerTenant,
  formatWrites,
  operatorWrites,
  parseRequestCounts,
  parseWriteCounts,
  type WriteCounts,
  writesBetween,
} from "./write-counts.ts";
import type { RunResult } from "./bench-report.ts";

const CREATE_CONCURRENCY = 16;
const LEASE_NAMESPACE = "zoom-integration-system";

export class OperatorDied extends Error {}

interface Ctx {
  readonly args: BenchArgs;
  readonly n: number;
  readonly plane: BenchPlane;
  readonly log: (m: string) => void;
  readonly result: RunResult;
  operator?: OperatorProcess;
  sampler?: RssSampler;
}

const writeCounts = async (plane: BenchPlane): Promise<WriteCounts> => parseWriteCounts(await apiserverMetrics(plane));
const requestCounts = async (plane: BenchPlane): Promise<WriteCounts> => parseRequestCounts(await apiserverMetrics(plane));

function check(ctx: Ctx, phase: string): void {
  if (ctx.operator && !isAlive(ctx.operator.pid)) throw new OperatorDied(`the operator (pid ${ctx.operator.pid}) died during ${phase}`);
}

async function launchOperator(ctx: Ctx, identity: string): Promise<OperatorProcess> {
  const op = await startOperator({
    kubeconfigPath: ctx.plane.state.kubeconfigPath,
    identity,
    command: [process.execPath, ...imageNodeFlags(), ctx.args.operatorEntry], // the image's (--optimize-for-size)
    env: {
      ...imageEnv(), // the image's: its allocator (jemalloc) above all
      POD_NAMESPACE: LEASE_NAMESPACE,
      RESYNC_SECONDS: String(ctx.args.resyncSeconds),
      WORKERS: String(ctx.args.workers),
      LOG_LEVEL: "info",
      NODE_OPTIONS: `--max-old-space-size=${ctx.args.operatorHeapMb} ${ctx.args.operatorV8Flags}`.trim(),
      MALLOC_ARENA_MAX: OPERATOR_MALLOC_ARENAS, // the install's
    },
  });
  ctx.operator = op;
  ctx.sampler = sampleRss(op.pid);
  if (!usesJemalloc(op.pid) && !ctx.result.notes.some((n) => n.includes("jemalloc")))
    ctx.result.notes.push(
      "the operator ran without the image's jemalloc (libjemalloc.so.2 not found: apt-get install libjemalloc2): RSS is glibc's",
    );
  return op;
}

async function allReady(ctx: Ctx, phase: string, sinceMs = Date.now()): Promise<number | undefined> {
  const timeoutMs = Math.max(300_000, ctx.n * 2000);
  return waitAllReady(ctx.plane.kc, ctx.n, { sinceMs, timeoutMs, check: () => check(ctx, phase), progress: ctx.log });
}

/**
 * Waits for the operator's "controller started" log line (every informer has listed), so the time to
 * Ready measures reconciles, not the initial list of the fixture. Returns ms since `sinceMs`.
 */
async function cachesFilled(ctx: Ctx, op: OperatorProcess, sinceMs: number): Promise<number | undefined> {
  while (Date.now() - sinceMs < 300_000) {
    check(ctx, "the operator's initial list");
    if (op.lines.some((l) => l.includes('"controller started"'))) return Date.now() - sinceMs;
    await sleep(100);
  }
  ctx.result.notes.push('the operator never logged "controller started" within 300 s: the time to Ready includes its start');
  return undefined;
}

async function converge(ctx: Ctx): Promise<void> {
  await createTenantNamespaces(ctx.plane.kc, "tenant", ctx.n, CREATE_CONCURRENCY);
  const started = Date.now();
  const op = await launchOperator(ctx, "bench-op-1");
  ctx.result.startMs = await cachesFilled(ctx, op, started);
  ctx.log(`operator up (pid ${op.pid}), caches filled after ${fmtS(ctx.result.startMs)}; creating ${ctx.n} tenants`);
  const before = await requestCounts(ctx.plane);
  const t0 = Date.now();
  await createTenants(ctx.plane.kc, ctx.plane.zoom.url, ctx.n, CREATE_CONCURRENCY, ctx.log);
  ctx.result.readyMs = await allReady(ctx, "convergence", t0);
  const perTenant = formatPerTenant(writesBetween(before, await requestCounts(ctx.plane)), ctx.n);
  ctx.result.convergeRequests = `${perTenant}; the operator's credentials checks with Zoom: ${ctx.plane.zoom.tokenRequests()}`;
  ctx.log(`all ${ctx.n} Ready: ${fmtS(ctx.result.readyMs)}; operator RSS peak so far ${ctx.sampler?.peakMiB().toFixed(0)} MiB`);
}

async function steadyState(ctx: Ctx): Promise<void> {
  await injectForeignEnv(ctx.plane.kc, MESH_TENANT);
  ctx.log(`mesh-injector added an env var to tenant ${MESH_TENANT}'s Deployment; waiting for it to roll`);
  await sleep(3000);
  await allReady(ctx, "the mesh-injector rollout");
  await sleep(10_000);
  const seconds = ctx.args.steadySeconds;
  ctx.log(`steady window: ${seconds} s (resync every ${ctx.args.resyncSeconds} s)`);
  const before = await writeCounts(ctx.plane);
  const opBefore = counterSum(await ctx.operator!.metrics(), "zio_operator_writes_total");
  const from = Date.now();
  while (Date.now() - from < seconds * 1000) {
    check(ctx, "the steady window");
    await sleep(Math.min(1000, seconds * 1000 - (Date.now() - from)));
  }
  const diff = writesBetween(before, await writeCounts(ctx.plane));
  ctx.result.steady = {
    seconds,
    operatorKindWrites: operatorWrites(diff),
    operatorCounter: counterSum(await ctx.operator!.metrics(), "zio_operator_writes_total") - opBefore,
    perResource: formatWrites(diff),
  };
  ctx.result.rssSteadyMiB = ctx.sampler?.medianMiB(from, Date.now());
  ctx.log(`steady: ${ctx.result.steady.operatorKindWrites} writes to operator-owned resources; all: ${ctx.result.steady.perResource}`);
}

async function specEdits(ctx: Ctx): Promise<void> {
  const picks = shuffle(Array.from({ length: ctx.n }, (_, i) => i)).slice(0, Math.min(ctx.args.edits, ctx.n));
  const latencies: number[] = [];
  let timedOut = 0;
  for (const [k, i] of picks.entries()) {
    check(ctx, "the spec edits");
    const outcome = await timeSpecEdit(ctx.plane.kc, i, `e${k}`, 30_000);
    if ("ms" in outcome) latencies.push(outcome.ms);
    else {
      timedOut++;
      ctx.result.notes.push(outcome.problem);
      ctx.log(outcome.problem);
    }
  }
  ctx.result.edits = { count: picks.length, latenciesMs: latencies.sort((a, b) => a - b), timedOut };
  ctx.log(`spec edits: ${latencies.length} timed, ${timedOut} failed`);
}

async function restart(ctx: Ctx): Promise<void> {
  await allReady(ctx, "the rollouts after the edits");
  await sleep(5000);
  ctx.result.rssPeakMiB = ctx.sampler?.peakMiB();
  const before = await writeCounts(ctx.plane);
  await ctx.operator?.stop();
  ctx.sampler?.stop();
  ctx.log("operator stopped (SIGTERM); starting a new one");
  const t0 = Date.now();
  const op = await launchOperator(ctx, "bench-op-2");
  for (;;) {
    check(ctx, "the catch-up after the restart");
    const text = await op.metrics();
    const caughtUp =
      counterSum(text, "zio_operator_leader") === 1 &&
      counterSum(text, "zio_operator_reconciles_total") >= ctx.n &&
      counterSum(text, "zio_operator_queue_depth") === 0;
    if (caughtUp) break;
    if (Date.now() - t0 > Math.max(300_000, ctx.n * 2000)) throw new Error("the restarted operator did not catch up in time");
    await sleep(250);
  }
  const catchUpMs = Date.now() - t0;
  await sleep(5000); // writes a just-finished reconcile sent are still counted
  const diff = writesBetween(before, await writeCounts(ctx.plane));
  ctx.result.restart = {
    catchUpMs,
    operatorKindWrites: operatorWrites(diff),
    perResource: formatWrites(diff),
    peakMiB: ctx.sampler?.peakMiB(),
  };
  ctx.log(`restart: caught up in ${fmtS(catchUpMs)}; writes ${ctx.result.restart.perResource}`);
}

async function floor(ctx: Ctx): Promise<void> {
  await createTenantNamespaces(ctx.plane.kc, FLOOR_PREFIX, ctx.n, CREATE_CONCURRENCY);
  ctx.log(`floor: applying the same children for ${ctx.n} tenants with ${ctx.args.workers} appliers (operator stopped)`);
  const before = await requestCounts(ctx.plane);
  ctx.result.floor = await measureApplyFloor(
    ctx.plane.kc,
    ctx.plane.zoom.url,
    ctx.n,
    ctx.args.workers,
    ctx.log,
    Math.max(300_000, ctx.n * 2000),
  );
  ctx.result.floorRequests = formatPerTenant(writesBetween(before, await requestCounts(ctx.plane)), ctx.n);
  ctx.log(`floor: applied in ${fmtS(ctx.result.floor.appliedMs)}, all available in ${fmtS(ctx.result.floor.availableMs)}`);
}

async function operatorPhases(ctx: Ctx): Promise<void> {
  try {
    await converge(ctx);
    await steadyState(ctx);
    await specEdits(ctx);
    await restart(ctx);
  } catch (error) {
    // NB: a benchmark reports what went wrong and goes on to the floor; it does not crash.
    const died = error instanceof OperatorDied || (ctx.operator !== undefined && !isAlive(ctx.operator.pid));
    const message = died && !(error instanceof OperatorDied) ? `the operator died (${(error as Error).message})` : (error as Error).message;
    const tail = died ? `; its last log lines:\n${ctx.operator?.lines.slice(-15).join("\n")}` : "";
    ctx.result.notes.push(`${message}${tail}`);
    ctx.log(message);
  } finally {
    ctx.result.rssPeakMiB ??= ctx.sampler?.peakMiB();
    ctx.sampler?.stop();
    await ctx.operator?.stop();
  }
}

export async function runOnce(args: BenchArgs, n: number, log: (m: string) => void, onPlane: (p: BenchPlane) => void): Promise<RunResult> {
  // the tenants' pods, then as many for the floor
  const plane = await startBenchPlane(2 * n, log);
  onPlane(plane);
  const result: RunResult = { n, notes: [] };
  try {
    await create(plane.kc, "/api/v1/namespaces", namespaceBody(LEASE_NAMESPACE));
    const f0 = Date.now();
    await createBusyFixture(plane.kc, {
      secrets: args.foreignSecrets,
      configMaps: args.foreignConfigMaps,
      secretKb: args.secretKb,
      concurrency: CREATE_CONCURRENCY,
      progress: log,
    });
    log(`fixture ready in ${fmtS(Date.now() - f0)}`);
    const ctx: Ctx = { args, n, plane, log, result };
    await operatorPhases(ctx);
    await floor(ctx);
  } finally {
    await plane.stop();
  }
  return result;
}

export const fmtS = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

// What every chaos scenario shares: the counts (reduced in CI, the issue's with ZIO_CHAOS_FULL=1),
// the production heap limits, the figures each scenario prints, and small load helpers.
import { OPERATOR_V8_FLAGS } from "../../../charts/install/install-chart.ts";
import { imageNodeFlags } from "../../support/image-env.ts";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** ZIO_CHAOS_FULL=1: the counts of issue #19. Otherwise a run that fits about 4 minutes of a 2-core CI. */
export const FULL = process.env["ZIO_CHAOS_FULL"] === "1";

/** ZIO_CHAOS_OPS=N: scenarios 4 and 5 run N meeting operations instead (between CI's and the full count). */
const OPS_OVERRIDE = process.env["ZIO_CHAOS_OPS"] ? Number(process.env["ZIO_CHAOS_OPS"]) : undefined;
if (OPS_OVERRIDE !== undefined && !(Number.isInteger(OPS_OVERRIDE) && OPS_OVERRIDE > 0))
  throw new Error(`ZIO_CHAOS_OPS must be a positive integer (got "${process.env["ZIO_CHAOS_OPS"]}")`);

const BASE_COUNTS = FULL
  ? {
      tenants: 200,
      deleted: 50,
      operatorKills: 30,
      meetingOps: 10_000,
      bookingWorkers: 32,
      serviceKillEveryMs: 3000,
      apiserverDownMs: 60_000,
    }
  : { tenants: 16, deleted: 4, operatorKills: 6, meetingOps: 150, bookingWorkers: 12, serviceKillEveryMs: 3000, apiserverDownMs: 15_000 };

export const COUNTS = { ...BASE_COUNTS, meetingOps: OPS_OVERRIDE ?? BASE_COUNTS.meetingOps };
/** More than CI's counts: past the tier's 15-minute test timeout. */
export const LONG_RUN = FULL || OPS_OVERRIDE !== undefined;

/**
 * Production heap limits, as the charts set them for the default memory limits: the operator
 * `--max-old-space-size-percentage=75` of 512Mi with its V8 flags (charts/install), the service 40% of 256Mi with a
 * 1 MiB young generation (charts/tenant/pod-template.ts). NB: outside a cgroup the percentage would
 * apply to the machine's memory, so the absolute equivalent is given.
 */
export const OPERATOR_NODE_OPTIONS = `--max-old-space-size=${Math.floor(512 * 0.75)} ${OPERATOR_V8_FLAGS}`;
/** The operator as the image starts it: node with the ENTRYPOINT's flags (--optimize-for-size), from the source. */
export const OPERATOR_COMMAND: readonly string[] = [process.execPath, ...imageNodeFlags(), "operator/main.ts"];
export const SERVICE_NODE_OPTIONS = `--max-old-space-size=${Math.floor(256 * 0.4)} --max-semi-space-size=1`;

/** How a process we did not kill ended: undefined while it runs; an OOM is a SIGABRT or V8's message. */
export function oomOf(p: { exitStatus(): { code: number | null; signal: string | null } | undefined; lines: readonly string[] }) {
  const heap = p.lines.find((l) => /heap out of memory|Allocation failed/i.test(l));
  const status = p.exitStatus();
  if (heap) return heap;
  if (status?.signal === "SIGABRT" || status?.code === 134) return `exited ${JSON.stringify(status)}`;
  return undefined;
}

const FIGURES_FILE = join("test-artifacts", "chaos-figures.jsonl");

/** Prints one scenario's figures (the README table is made of these lines) and keeps them in test-artifacts/. */
export function figures(scenario: string, values: Record<string, unknown>): void {
  const line = { scenario, full: FULL, at: new Date().toISOString(), ...values };
  console.log(
    `[chaos] ${scenario}: ${Object.entries(values)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`)
      .join(" ")}`,
  );
  mkdirSync("test-artifacts", { recursive: true });
  appendFileSync(FIGURES_FILE, `${JSON.stringify(line)}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A seeded random source (mulberry32), so a failing run can be repeated with ZIO_CHAOS_SEED. */
export function seededRandom(seed = Number(process.env["ZIO_CHAOS_SEED"] ?? Date.now() % 2 ** 31)): { next: () => number; seed: number } {
  let a = seed >>> 0;
  return {
    seed,
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Runs `task` over `count` indexes, `concurrency` at a time. */
export async function inParallel(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Tries `fn` until it succeeds (the API server may be restarting, an operator may be dead); gives up after `timeoutMs`. */
export async function persist<T>(
  fn: () => Promise<T>,
  accept: (error: unknown) => T | undefined = () => undefined,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const accepted = accept(error);
      if (accepted !== undefined) return accepted;
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** Seconds with one decimal, for the figures. */
export const secondsSince = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

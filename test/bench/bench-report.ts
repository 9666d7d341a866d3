// What one run measured, and the final table. Ratios are computed in the same run, on one machine.
import type { FloorResult } from "./apply-floor.ts";

export interface RunResult {
  readonly n: number;
  /** Operator start until its informers have listed everything (the fixture included). */
  startMs?: number | undefined;
  readyMs?: number | undefined;
  /** kube-apiserver's requests (not watches) from the first tenant created until all were Ready: everyone's, the bench's polls included. */
  convergeRequests?: string | undefined;
  /** The same for the floor, from its first apply until every Deployment was available. */
  floorRequests?: string | undefined;
  floor?: FloorResult;
  rssPeakMiB?: number | undefined;
  rssSteadyMiB?: number | undefined;
  steady?: { seconds: number; operatorKindWrites: number; operatorCounter: number; perResource: string };
  edits?: { count: number; latenciesMs: number[]; timedOut: number };
  restart?: { catchUpMs: number; operatorKindWrites: number; perResource: string; peakMiB: number | undefined };
  readonly notes: string[];
}

/** Nearest-rank percentile of sorted values (with few samples p99 is the maximum). */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const s = (ms: number | undefined) => (ms === undefined ? "n/a" : (ms / 1000).toFixed(1));
const mib = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "n/a" : v.toFixed(0));
const ms = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(0));

export function ratio(operatorMs: number | undefined, floorMs: number | undefined): string {
  return operatorMs === undefined || !floorMs ? "n/a" : (operatorMs / floorMs).toFixed(2);
}

const COLUMNS = [
  "N",
  "start s",
  "ready s",
  "floor s",
  "ratio",
  "RSS peak MiB",
  "RSS steady MiB",
  "steady writes",
  "writes/min",
  "edit p50 ms",
  "edit p99 ms",
  "restart s",
  "restart writes",
  "restart peak MiB",
];

function row(r: RunResult): string[] {
  const lat = r.edits?.latenciesMs ?? [];
  const perMin = r.steady ? ((r.steady.operatorKindWrites * 60) / r.steady.seconds).toFixed(1) : "n/a";
  return [
    String(r.n),
    s(r.startMs),
    s(r.readyMs),
    s(r.floor?.availableMs),
    ratio(r.readyMs, r.floor?.availableMs),
    mib(r.rssPeakMiB),
    mib(r.rssSteadyMiB),
    r.steady ? `${r.steady.operatorKindWrites}/${r.steady.seconds}s` : "n/a",
    perMin,
    ms(percentile(lat, 50)),
    ms(percentile(lat, 99)),
    s(r.restart?.catchUpMs),
    r.restart ? String(r.restart.operatorKindWrites) : "n/a",
    mib(r.restart?.peakMiB),
  ];
}

export function table(results: readonly RunResult[]): string {
  const rows = [COLUMNS, ...results.map(row)];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padStart(widths[c] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(COLUMNS), rule, ...rows.slice(1).map(line)].join("\n");
}

export function details(r: RunResult): string {
  const lat = r.edits?.latenciesMs ?? [];
  return [
    `N = ${r.n}`,
    `  time to all Ready ${s(r.readyMs)} s vs bare apply floor ${s(r.floor?.availableMs)} s (children applied in ${s(r.floor?.appliedMs)} s, then Deployments available): ratio ${ratio(r.readyMs, r.floor?.availableMs)} (goal <= 1.3)`,
    `  kube-apiserver requests until all Ready (everyone's, the benchmark's own creates and polls included): ${r.convergeRequests ?? "n/a"}`,
    `  kube-apiserver requests during the floor: ${r.floorRequests ?? "n/a"}`,
    `  operator start until its caches were filled (the fixture listed): ${s(r.startMs)} s`,
    `  operator RSS: peak ${mib(r.rssPeakMiB)} MiB, steady ${mib(r.rssSteadyMiB)} MiB (median over the window); after restart peak ${mib(r.restart?.peakMiB)} MiB (goal <= 150 MiB at N = 1000)`,
    r.steady
      ? `  steady ${r.steady.seconds} s: ${r.steady.operatorKindWrites} API-server writes to operator-owned resources (operator's own counter: ${r.steady.operatorCounter}) (goal 0); all mutating requests (* = operator-owned): ${r.steady.perResource}`
      : "  steady: not measured",
    r.edits
      ? `  spec edit -> Deployment updated, ${lat.length} of ${r.edits.count} edits (${r.edits.timedOut} failed, see the notes): p50 ${ms(percentile(lat, 50))} ms, p99 ${ms(percentile(lat, 99))} ms, max ${ms(lat.at(-1))} ms (goal p99 <= 1000 ms); each: ${lat.map((v) => v.toFixed(0)).join(", ")} ms`
      : "  spec edits: not measured",
    r.restart
      ? `  restart: caught up in ${s(r.restart.catchUpMs)} s, ${r.restart.operatorKindWrites} writes to operator-owned resources (goal 0); all: ${r.restart.perResource}`
      : "  restart: not measured",
    ...r.notes.map((n) => `  NOTE: ${n}`),
  ].join("\n");
}

// Runs N operations with P workers and keeps what the bench prints: wall time, sorted latencies and
// how many answers of each status.
import { performance } from "node:perf_hooks";

export interface Outcomes {
  readonly seconds: number;
  readonly latencies: number[];
  readonly statuses: Record<string, number>;
}

/** `once` answers an HTTP status; `progress` hears about every 10 % of the run. */
export async function runPhase(
  total: number,
  parallel: number,
  once: (i: number) => Promise<number>,
  progress?: (message: string) => void,
): Promise<Outcomes> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const step = Math.max(1, Math.floor(total / 10));
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      const status = await once(i);
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (++done % step === 0) progress?.(`  ... ${done}/${total} (${JSON.stringify(statuses)})`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b), statuses };
}

export const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

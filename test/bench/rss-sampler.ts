// Samples a process's resident memory from /proc/<pid>/status: VmRSS now, VmHWM (the kernel's own
// peak, so a spike between two samples is not missed).
import { readFileSync } from "node:fs";

export interface RssSample {
  readonly atMs: number;
  readonly rssMiB: number;
}

export interface RssSampler {
  /** The kernel's peak RSS of the process so far (kept after it exits). */
  peakMiB(): number;
  /** Median RSS of the samples taken in [fromMs, toMs]. */
  medianMiB(fromMs: number, toMs: number): number;
  stop(): void;
}

function readStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return undefined; // the process is gone
  }
}

export function sampleRss(pid: number, intervalMs = 500): RssSampler {
  const samples: RssSample[] = [];
  let peak = 0;
  const take = () => {
    const s = readStatus(pid);
    if (!s) return;
    samples.push({ atMs: Date.now(), rssMiB: s.rss });
    peak = Math.max(peak, s.hwm, s.rss);
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    peakMiB: () => peak,
    medianMiB: (fromMs, toMs) => {
      const inside = samples
        .filter((s) => s.atMs >= fromMs && s.atMs <= toMs)
        .map((s) => s.rssMiB)
        .sort((a, b) => a - b);
      return inside[Math.floor(inside.length / 2)] ?? Number.NaN;
    },
    stop: () => {
      take();
      clearInterval(timer);
    },
  };
}

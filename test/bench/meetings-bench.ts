/**
 * Create-meeting throughput and added latency: the same creates sent straight to the Zoom emulator
 * and through the service (router, zod, idempotency claim + completion, Zoom client), in one run.
 *   node test/bench/meetings-bench.ts [requests per phase, default 2000] [concurrency, default 16]
 * Everything shares this process (and a shared machine): compare the ratios, not the absolutes.
 * The idempotency store is the in-memory one; the ConfigMap store adds two API-server writes per create.
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { startZoomEmulator } from "../zoom-emulator/index.ts";
import { startTestService } from "../support/meetings-support.ts";

const requests = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 16);

interface Phase {
  readonly seconds: number;
  readonly latencies: number[];
}

async function run(total: number, parallel: number, once: (i: number) => Promise<void>): Promise<Phase> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await once(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function main(): Promise<void> {
  const zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  const service = await startTestService(zoom, { clock: () => zoom.clock.now() });
  const grant = await service.tokens.get("acme");
  const pool = new Pool(zoom.url, { connections: concurrency, keepAliveTimeout: 30_000 });
  const body = { topic: "Bench", type: 2, start_time: "2030-01-15T10:00:00", timezone: "Europe/Berlin", duration: 30 };
  const direct = async () => {
    const res = await pool.request({
      method: "POST",
      path: "/v2/users/me/meetings",
      headers: { authorization: `Bearer ${grant.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await res.body.text();
    if (res.statusCode !== 201) throw new Error(`direct create answered ${res.statusCode}`);
  };
  const viaService = (prefix: string) => async (i: number) => {
    await service.client.createMeeting({
      organizationId: "acme",
      bookingId: `${prefix}-${i}`,
      topic: "Bench",
      startLocal: "2030-01-15T10:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
    });
  };
  await run(200, concurrency, direct);
  await run(200, concurrency, viaService("warm"));
  for (const [label, parallel] of [
    ["sequential (latency)", 1],
    [`concurrency ${concurrency} (throughput)`, concurrency],
  ] as const) {
    const n = parallel === 1 ? Math.min(requests, 500) : requests;
    const d = await run(n, parallel, direct);
    const s = await run(n, parallel, viaService(`s${parallel}`));
    console.log(`\n${label}, ${n} creates each`);
    console.log(
      `  direct to emulator : ${(n / d.seconds).toFixed(0)} creates/s, p50 ${fmt(pct(d.latencies, 50))}, p99 ${fmt(pct(d.latencies, 99))}`,
    );
    console.log(
      `  through the service: ${(n / s.seconds).toFixed(0)} creates/s, p50 ${fmt(pct(s.latencies, 50))}, p99 ${fmt(pct(s.latencies, 99))}`,
    );
    console.log(
      `  added by the service: p50 +${fmt(pct(s.latencies, 50) - pct(d.latencies, 50))}, p99 +${fmt(pct(s.latencies, 99) - pct(d.latencies, 99))}, throughput ${((n / s.seconds / (n / d.seconds)) * 100).toFixed(0)} % of direct`,
    );
  }
  await pool.close();
  await service.close();
  await zoom.close();
}

await main();

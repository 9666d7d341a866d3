import { Pool } from "undici";

/**
 * A small closed-loop HTTP load generator, run as its own process by bench.ts so that it does not
 * share the emulator's core. Usage: node load-generator.ts <url> <bearer token> <seconds> <connections>
 * Prints "measuring" when the measured run starts (after a warm-up), then one JSON line:
 * {requests, non200, seconds, requestsPerSecond}.
 */
const [url = "", token = "", secondsText = "5", connectionsText = "64"] = process.argv.slice(2);
const seconds = Number(secondsText);
const connections = Number(connectionsText);
const origin = new URL(url);
const pool = new Pool(origin.origin, { connections, pipelining: 1 });
const headers = { authorization: `Bearer ${token}` };
const path = `${origin.pathname}${origin.search}`;

async function worker(until: number, tally: { ok: number; other: number }): Promise<void> {
  while (performance.now() < until) {
    const { statusCode, body } = await pool.request({ path, method: "GET", headers });
    await body.dump();
    if (statusCode === 200) tally.ok++;
    else tally.other++;
  }
}

async function run(durationMs: number): Promise<{ ok: number; other: number; ms: number }> {
  const tally = { ok: 0, other: 0 };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => worker(started + durationMs, tally)));
  return { ...tally, ms: performance.now() - started };
}

await run(1000); // warm-up: JIT and connections
console.log("measuring");
const measured = await run(seconds * 1000);
await pool.close();
const requestsPerSecond = Math.round(((measured.ok + measured.other) * 1000) / measured.ms);
console.log(
  JSON.stringify({ requests: measured.ok + measured.other, non200: measured.other, seconds: measured.ms / 1000, requestsPerSecond }),
);

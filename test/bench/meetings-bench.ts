/**
 * The meetings API on the REAL idempotency store (sharded ConfigMaps on a real control plane) and
 * the Zoom emulator, in one run. `npm run bench -- --help` for the modes and counts.
 * Everything shares this process (and a shared machine): compare the ratios, not the absolutes.
 */
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { ZoomIntegrationError } from "../../service/client/client.ts";
import { ConfigMapIdempotencyStore } from "../../service/meetings/configmap-idempotency-store.ts";
import { createMetrics } from "../../service/metrics.ts";
import { startTestService, type TestService } from "../support/meetings-support.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { type BenchPlane, configMapRequests, etcdBytes, startBenchPlane, storeSize } from "./meetings-plane.ts";
import { fmt, type Outcomes, pct, runPhase } from "./bench-run.ts";

const HELP = `npm run bench -- [--mode latency|capacity|churn|all] [options]
  latency  (default) creates/s and added p50/p99 versus the emulator directly, at concurrency 1, 16
           and 64; API-server writes per create; etcd growth per 1,000 creates
  capacity --creates N distinct-key creates through one tenant (default 20000): 503s (goal 0),
           the store's size, etcd growth per 1,000 creates
  churn    --ops N mixed create/delete operations at concurrency 50 (default 2000): server errors
           (goal 0) and every answer by status
Options: --format json|compact how the store writes its records (default json; record-codec.ts)
         --requests N creates per latency phase (default 1000; 200 at concurrency 1)
         --concurrency N for capacity (default 16)
A fresh control plane is started (ZIO_CLUSTER_BIN or the cached build), or ZIO_CLUSTER_DIR's is used.
`;

const { values: flags } = parseArgs({
  options: {
    mode: { type: "string", default: "latency" },
    format: { type: "string", default: "json" },
    requests: { type: "string", default: "1000" },
    creates: { type: "string", default: "20000" },
    ops: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    help: { type: "boolean", default: false },
  },
});
const say = (m: string) => process.stderr.write(`${m}\n`);

interface Bed {
  readonly plane: BenchPlane;
  readonly zoom: ZoomEmulator;
  readonly service: TestService;
  readonly metrics: ReturnType<typeof createMetrics>;
}

const booking = (id: string) => ({
  organizationId: "acme",
  bookingId: id,
  topic: "Bench",
  startLocal: "2030-01-15T10:00",
  timeZone: "Europe/Berlin",
  durationMinutes: 30,
});

/** Runs `body` and prints the store's API-server requests and etcd's growth during it. */
async function measured(bed: Bed, label: string, creates: number, body: () => Promise<Outcomes>) {
  const [req0, etcd0] = [await configMapRequests(bed.plane.state), await etcdBytes(bed.plane.state)];
  const outcome = await body();
  const [req1, etcd1] = [await configMapRequests(bed.plane.state), await etcdBytes(bed.plane.state)];
  const per = (n: number) => (creates > 0 ? n / creates : Number.NaN);
  console.log(
    `  ${label}: API-server writes per create ${per(req1.writes - req0.writes).toFixed(2)} (reads ${per(req1.reads - req0.reads).toFixed(2)}); ` +
      `etcd db +${((per(etcd1.dbSize - etcd0.dbSize) * 1000) / 1e6).toFixed(2)} MB per 1,000 creates ` +
      `(WAL written ${((per(etcd1.walWritten - etcd0.walWritten) * 1000) / 1e6).toFixed(2)} MB per 1,000)`,
  );
  return outcome;
}

async function latency(bed: Bed): Promise<void> {
  const requests = Number(flags.requests);
  const grant = await bed.service.tokens.get("acme");
  const pool = new Pool(bed.zoom.url, { connections: 64, keepAliveTimeout: 30_000 });
  const zoomBody = JSON.stringify({ topic: "Bench", type: 2, start_time: "2030-01-15T10:00:00", timezone: "Europe/Berlin", duration: 30 });
  const direct = async () => {
    const res = await pool.request({
      method: "POST",
      path: "/v2/users/me/meetings",
      headers: { authorization: `Bearer ${grant.accessToken}`, "content-type": "application/json" },
      body: zoomBody,
    });
    await res.body.text();
    return res.statusCode;
  };
  const via = (prefix: string) => (i: number) => statusOf(bed.service.client.createMeeting(booking(`${prefix}-${i}`)));
  await runPhase(100, 8, direct);
  await runPhase(100, 8, via("warm"));
  console.log("\nlatency: the same creates straight to the emulator and through the service with the real store");
  for (const parallel of [1, 16, 64]) {
    const n = parallel === 1 ? Math.min(requests, 200) : requests;
    const d = await runPhase(n, parallel, direct);
    const s = await measured(bed, `concurrency ${parallel}`, n, () => runPhase(n, parallel, via(`c${parallel}`)));
    console.log(
      `  concurrency ${String(parallel).padStart(2)}, ${n} creates: direct ${(n / d.seconds).toFixed(0)}/s p50 ${fmt(pct(d.latencies, 50))} p99 ${fmt(pct(d.latencies, 99))}` +
        ` | service ${(n / s.seconds).toFixed(0)}/s p50 ${fmt(pct(s.latencies, 50))} p99 ${fmt(pct(s.latencies, 99))}` +
        ` | added p50 +${fmt(pct(s.latencies, 50) - pct(d.latencies, 50))} p99 +${fmt(pct(s.latencies, 99) - pct(d.latencies, 99))}` +
        ` | throughput ${((d.seconds / s.seconds) * 100).toFixed(0)} % of direct | answers ${JSON.stringify(s.statuses)}`,
    );
  }
  await pool.close();
}

async function capacity(bed: Bed): Promise<void> {
  const creates = Number(flags.creates);
  const parallel = Number(flags.concurrency);
  console.log(`\ncapacity: ${creates} distinct-key creates through one tenant at concurrency ${parallel}`);
  const out = await measured(bed, "whole run", creates, () =>
    runPhase(creates, parallel, (i) => statusOf(bed.service.client.createMeeting(booking(`cap-${i}`))), say),
  );
  const size = await storeSize(bed.plane);
  const fill = (await bed.metrics.registry.getSingleMetric("zio_service_idempotency_shard_fill_ratio")?.get())?.values[0]?.value ?? 0;
  console.log(
    `  ${creates} creates in ${out.seconds.toFixed(0)} s (${(creates / out.seconds).toFixed(0)}/s): 503s ${out.statuses["503"] ?? 0} (goal 0), answers ${JSON.stringify(out.statuses)}`,
  );
  console.log(
    `  store: ${size.shards} shard ConfigMaps, ${size.records} records, ${(size.bytes / 1e6).toFixed(2)} MB of data, largest shard ${(size.largest / 1e3).toFixed(1)} kB (fill gauge ${(fill * 100).toFixed(0)} % of its limit)`,
  );
}

async function churn(bed: Bed): Promise<void> {
  const ops = Number(flags.ops);
  console.log(`\nchurn: ${ops} mixed create/delete operations at concurrency 50 (bookings reused: cancel, then book again)`);
  const meetings = new Map<number, string>();
  const once = async (i: number) => {
    const slot = i % 200;
    const id = meetings.get(slot);
    if (id !== undefined && i % 2 === 1) {
      meetings.delete(slot);
      return statusOf(bed.service.client.deleteMeeting("acme", id).then(() => undefined));
    }
    return statusOf(
      bed.service.client.createMeeting(booking(`churn-${slot}`)).then((m) => {
        meetings.set(slot, m.id);
      }),
    );
  };
  const out = await measured(bed, "whole run", Math.ceil(ops / 2), () => runPhase(ops, 50, once, say));
  const serverErrors = Object.entries(out.statuses)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  console.log(
    `  ${ops} operations in ${out.seconds.toFixed(1)} s (${(ops / out.seconds).toFixed(0)}/s), p50 ${fmt(pct(out.latencies, 50))} p99 ${fmt(pct(out.latencies, 99))}: server errors ${serverErrors} (goal 0), answers ${JSON.stringify(out.statuses)}`,
  );
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ZoomIntegrationError) return error.status;
    throw error;
  }
}

async function main(): Promise<void> {
  if (flags.help) return void process.stdout.write(HELP);
  if (flags.format !== "json" && flags.format !== "compact") throw new Error(`--format is json or compact, not ${flags.format}\n${HELP}`);
  const format = flags.format;
  const modes = flags.mode === "all" ? ["latency", "capacity", "churn"] : [flags.mode ?? "latency"];
  const plane = await startBenchPlane(say);
  const zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  const metrics = createMetrics();
  console.log(`store format: ${format}`);
  const store = new ConfigMapIdempotencyStore({
    kc: plane.serviceKc,
    namespace: plane.namespace,
    name: plane.stateConfigMap,
    metrics,
    format,
  });
  const service = await startTestService(zoom, { store, clock: () => zoom.clock.now() });
  const bed = { plane, zoom, service, metrics };
  try {
    for (const mode of modes) {
      if (mode === "latency") await latency(bed);
      else if (mode === "capacity") await capacity(bed);
      else if (mode === "churn") await churn(bed);
      else throw new Error(`unknown --mode ${mode}\n${HELP}`);
    }
  } finally {
    await service.close();
    await zoom.close();
    await plane.stop();
  }
}

await main();

// The service's memory, as a pod runs it (the compiled build as in the image, the chart's
// NODE_OPTIONS with the heap limit a 256Mi pod gets, its ServiceAccount's RBAC, the real store on the real control plane): RSS idle and
// under a burst of creates, printed beside two baselines measured in the same run: a bare Node
// process with the same flags (the floor) and the same service with @kubernetes/client-node
// preloaded (what it cost while it imported client-node). NB: the TypeScript source run directly
// costs ~30 MiB more (Node's type stripping), so the build is measured.
// Counts are reduced for CI; `ZIO_FOOTPRINT_CREATES=2000` runs the full burst.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleRss } from "../bench/rss-sampler.ts";
import { useNamespace } from "../support/cluster-env.ts";
import { imageNodeFlags } from "../support/image-env.ts";
import { compileService, podNodeOptions, type ServiceBuild } from "../support/service-build.ts";
import { type RunningService, startBrowserFlow, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

const ORG = "org-footprint";
const CREATES = Number(process.env["ZIO_FOOTPRINT_CREATES"] ?? 200);
const CONCURRENCY = 16;
/** Idle = this long after the first ready answer: start-up garbage has had a collection or two. */
const SETTLE_MS = 3000;
/** The chart's flags with the heap limit a pod with the default 256Mi limit gets (see service-build.ts). */
const POD_OPTIONS = podNodeOptions();

let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let build: ServiceBuild | undefined;
const running: ServiceProcess[] = [];
const ns = useNamespace("svc-footprint", () => running.map((r) => `--- ${r.podName}\n${r.lines.slice(-20).join("\n")}`).join("\n"));

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

interface Footprint {
  readonly idle: number;
  readonly peak: number;
  readonly after: number;
  /** After the load, from the service's own /metrics: where the memory is. */
  readonly heap: string;
}

/** V8's heap (total and used) and memory outside it, from prom-client's default metrics. */
async function heapOf(apiUrl: string): Promise<string> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const mib = (name: string) => (Number(new RegExp(`^zio_service_${name} (\\S+)$`, "m").exec(text)?.[1]) / 1048576).toFixed(0);
  return `heap ${mib("nodejs_heap_size_used_bytes")}/${mib("nodejs_heap_size_total_bytes")} MiB, external ${mib("nodejs_external_memory_bytes")} MiB`;
}

async function createMeetings(apiUrl: string, prefix: string): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < CREATES) {
      const i = next++;
      const res = await fetch(`${apiUrl}/v1/meetings`, {
        method: "POST",
        headers: { authorization: `Bearer ${tenant.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({
          organizationId: ORG,
          bookingId: `${prefix}-${i}`,
          topic: "Footprint",
          startLocal: "2030-01-15T10:00",
          timeZone: "Europe/Berlin",
          durationMinutes: 30,
        }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

async function measureService(podName: string, nodeOptions: string): Promise<Footprint & { statuses: number[] }> {
  const svc = await startServiceProcess(tenant, podName, { NODE_OPTIONS: nodeOptions, LOG_LEVEL: "info" }, build?.command);
  running.push(svc);
  await sleep(SETTLE_MS);
  const idle = rssMiB(svc.pid);
  const sampler = sampleRss(svc.pid, 100);
  const statuses = await createMeetings(svc.apiUrl, podName);
  sampler.stop();
  const after = rssMiB(svc.pid);
  const heap = await heapOf(svc.apiUrl);
  await svc.stop();
  return { idle, peak: sampler.peakMiB(), after, heap, statuses };
}

async function bareNodeRss(): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [...imageNodeFlags(), "-e", "setInterval(() => {}, 1e6)"], {
    env: { PATH: process.env["PATH"] ?? "", NODE_OPTIONS: POD_OPTIONS },
    stdio: "ignore",
  });
  await sleep(SETTLE_MS);
  const rss = rssMiB(child.pid!);
  child.kill("SIGKILL");
  return rss;
}

beforeAll(async () => {
  build = compileService();
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url });
  const first = await startServiceProcess(tenant, "svc-connect");
  running.push(first);
  const asRunning = { publicUrl: first.publicUrl, apiUrl: first.apiUrl } as RunningService;
  const flow = await startBrowserFlow(asRunning, zoom, tenant.apiToken, ORG);
  expect((await visit(asRunning, flow.redirect, flow.cookie)).location).toContain("zoom=connected");
  await first.stop();
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await zoom?.close();
  build?.remove();
});

describe("the service's memory footprint", () => {
  it("idles well below the same service with client-node loaded, and serves a burst of creates", async () => {
    const floor = await bareNodeRss();
    const shipped = await measureService("svc-shipped", POD_OPTIONS);
    const withClientNode = await measureService("svc-client-node", `${POD_OPTIONS} --import @kubernetes/client-node`);
    const row = (name: string, f: Footprint) =>
      `  ${name.padEnd(26)} idle ${f.idle.toFixed(0).padStart(4)} MiB (${(f.idle / withClientNode.idle).toFixed(2)}x)  ` +
      `peak under load ${f.peak.toFixed(0).padStart(4)} MiB (${(f.peak / withClientNode.peak).toFixed(2)}x)  after ${f.after.toFixed(0)} MiB (${f.heap})`;
    console.log(
      [
        `[measure] service RSS, ${CREATES} creates at concurrency ${CONCURRENCY} (ratios: against the service with client-node loaded)`,
        `  bare node, same flags       ${floor.toFixed(0).padStart(4)} MiB`,
        row("service (as shipped)", shipped),
        row("service + client-node", withClientNode),
      ].join("\n"),
    );
    expect(shipped.statuses.filter((s) => s !== 201)).toEqual([]);
    expect(withClientNode.statuses.filter((s) => s !== 201)).toEqual([]);
    // NB: measured ~65-70 MiB apart; a margin that a collection's timing cannot close.
    expect(withClientNode.idle - shipped.idle).toBeGreaterThan(25);
  });
});

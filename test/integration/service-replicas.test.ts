// Replicas of one tenant's service, as the booking app meets them: a change of a connection made
// through one replica is what every replica answers right away (never a stale "reauthorize"), and
// a rolling restart behind a balancer that follows readiness loses no request. The service's RSS
// is printed idle and after the load.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { startReadinessProxy } from "../support/readiness-proxy.ts";
import { type RunningService, startBrowserFlow, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

const ORG = "org-agree";
/** What the kubelet's preStop sleep does in a cluster: keep serving while balancers notice. */
const DRAIN = { SHUTDOWN_DELAY_SECONDS: "1" };
/** How often the balancer reads readiness: endpoint propagation takes about this long. */
const BALANCER_POLL_MS = 300;
const RATE_PER_SECOND = 50;

let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let replicas: ServiceProcess[] = [];
let started = 0;
const ns = useNamespace("svc-replicas", () => replicas.map((r) => `--- ${r.podName}\n${r.lines.slice(-30).join("\n")}`).join("\n"));

const replica = () => startServiceProcess(tenant, `svc-${started++}`, DRAIN);
const asRunning = (r: ServiceProcess) => ({ publicUrl: r.publicUrl, apiUrl: r.apiUrl }) as RunningService;
const rssMiB = (r: ServiceProcess) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${r.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

async function call(base: string, method: string, path: string): Promise<{ status: number; code?: string; state?: string }> {
  const res = await fetch(`${base}/v1/organizations/${ORG}/zoom/${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.apiToken}` },
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string; state?: string };
  return { status: res.status, code: body.code, state: body.state };
}

async function connectThrough(r: ServiceProcess): Promise<void> {
  const f = await startBrowserFlow(asRunning(r), zoom, tenant.apiToken, ORG);
  expect((await visit(asRunning(r), f.redirect, f.cookie)).location).toContain("zoom=connected");
}

/** Polls every replica until each answers `expected`; returns every answer seen, and how long it took. */
async function untilAllAnswer(path: string, method: string, expected: (a: { status: number; code?: string; state?: string }) => boolean) {
  const seen: string[] = [];
  const t0 = performance.now();
  await eventually(
    async () => {
      const answers = await Promise.all(replicas.map((r) => call(r.apiUrl, method, path)));
      seen.push(...answers.map((a) => a.code ?? a.state ?? String(a.status)));
      if (!answers.every(expected)) throw new Error(`answers ${JSON.stringify(answers)}`);
    },
    { timeout: 3000, interval: 50 },
  );
  return { seen, ms: performance.now() - t0 };
}

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url });
  replicas = await Promise.all([replica(), replica(), replica()]);
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await zoom?.close();
});

describe("three replicas of one tenant", () => {
  it("agree at once after a consent, a dead grant, a reconnect and a disconnect made through one of them", async () => {
    console.log(`[measure] service RSS idle after start: ${replicas.map((r) => `${rssMiB(r).toFixed(0)} MiB`).join(", ")}`);
    await connectThrough(replicas[0]!);
    const connected = (a: { status: number }) => a.status === 200;
    const consent = await untilAllAnswer("connection/verify", "POST", connected);

    zoom.clock.advance(61 * 60_000);
    zoom.revokeGrant(zoom.inspect().grants.find((g) => !g.ended)!.id); // the next refresh answers invalid_grant
    expect((await call(replicas[1]!.apiUrl, "POST", "connection/verify")).code).toBe("REAUTHORIZATION_REQUIRED");
    const dead = await untilAllAnswer("connection/verify", "POST", (a) => a.code === "REAUTHORIZATION_REQUIRED");

    await connectThrough(replicas[2]!);
    const reconnect = await untilAllAnswer("connection/verify", "POST", connected);
    expect(reconnect.seen.filter((s) => s === "REAUTHORIZATION_REQUIRED")).toEqual([]);

    expect((await call(replicas[0]!.apiUrl, "DELETE", "connection")).status).toBe(204);
    const gone = await untilAllAnswer("connection/verify", "POST", (a) => a.code === "CONNECTION_MISSING");
    const states = await Promise.all(replicas.map((r) => call(r.apiUrl, "GET", "connection")));
    expect(states.map((s) => s.state)).toEqual(["NotConnected", "NotConnected", "NotConnected"]);
    console.log(
      `[measure] every replica agreed after: consent ${consent.ms.toFixed(0)} ms, dead grant ${dead.ms.toFixed(0)} ms, ` +
        `reconnect ${reconnect.ms.toFixed(0)} ms (no REAUTHORIZATION_REQUIRED seen), disconnect ${gone.ms.toFixed(0)} ms`,
    );
  });

  it("roll one replica after another under a steady stream through a readiness-following balancer without a failed request", async () => {
    await connectThrough(replicas[0]!);
    const proxy = await startReadinessProxy(BALANCER_POLL_MS);
    proxy.setBackends(replicas.map((r) => r.apiUrl));
    await new Promise((r) => setTimeout(r, 300));
    const failures: string[] = [];
    let sent = 0;
    const inflight: Promise<void>[] = [];
    const stream = setInterval(() => {
      sent++;
      inflight.push(
        call(proxy.url, "POST", "connection/verify").then(
          (a) => void (a.status !== 200 && failures.push(`${a.status} ${a.code ?? ""}`)),
          (error: unknown) => void failures.push(String(error)),
        ),
      );
    }, 1000 / RATE_PER_SECOND);
    for (let i = 0; i < 3; i++) {
      const fresh = await replica();
      proxy.setBackends([...replicas.map((r) => r.apiUrl), fresh.apiUrl]);
      await new Promise((r) => setTimeout(r, 2 * BALANCER_POLL_MS));
      const old = replicas.shift()!;
      replicas.push(fresh);
      const exit = old.stop();
      await new Promise((r) => setTimeout(r, 1500)); // NB: the balancer drops it only once it answers not-ready
      proxy.setBackends(replicas.map((r) => r.apiUrl));
      expect(await exit).toBe(0);
    }
    clearInterval(stream);
    await Promise.all(inflight);
    await proxy.close();
    console.log(
      `[measure] roll of 3 replicas under ${RATE_PER_SECOND} req/s: ${sent} requests, ${failures.length} failed; ` +
        `RSS after the load: ${replicas.map((r) => `${rssMiB(r).toFixed(0)} MiB`).join(", ")}`,
    );
    expect(failures).toEqual([]);
  });
});

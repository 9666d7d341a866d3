// Three real service processes share one grant while Zoom (the emulator) expires its access token
// ten times under concurrent load: the refresh lock must let exactly one refresh through per expiry
// and never present a rotated refresh token twice (which would kill the grant for good).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { useNamespace } from "../support/cluster-env.ts";
import { SecretCollector, startBrowserFlow, type RunningService, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";

const EXPIRIES = 10;
/** 30 x 10 = 300 calls; ZIO_CONTENTION_CALLS_PER_ROUND raises the pressure. */
const CALLS_PER_ROUND = Number(process.env["ZIO_CONTENTION_CALLS_PER_ROUND"] ?? 30);

let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let replicas: ServiceProcess[] = [];
const secrets = new SecretCollector();
const ns = useNamespace("svc-load", () => replicas.map((r) => `--- ${r.podName}\n${r.lines.slice(-30).join("\n")}`).join("\n"));

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url });
  replicas = await Promise.all(["svc-a", "svc-b", "svc-c"].map((pod) => startServiceProcess(tenant, pod)));
  secrets.add(tenant.apiToken, tenant.stateKey, tenant.clientSecret);
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await zoom?.close();
});

function asRunning(r: ServiceProcess): RunningService {
  return { publicUrl: r.publicUrl, apiUrl: r.apiUrl } as RunningService;
}

async function verify(r: ServiceProcess): Promise<{ status: number; ms: number; code?: string }> {
  const t0 = performance.now();
  const res = await fetch(`${r.apiUrl}/v1/organizations/org-load/zoom/connection/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiToken}` },
  });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, ms: performance.now() - t0, code: body.code };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

describe("three service replicas refreshing one grant", () => {
  it("make exactly one refresh per forced expiry, reuse no refresh token, and answer every call", async () => {
    const f = await startBrowserFlow(asRunning(replicas[0]!), zoom, tenant.apiToken, "org-load");
    secrets.add(new URL(f.redirect).searchParams.get("code"), new URL(f.redirect).searchParams.get("state"), f.cookie.split("=")[1]);
    expect((await visit(asRunning(replicas[1]!), f.redirect, f.cookie)).location).toContain("zoom=connected"); // NB: the callback may land on any replica
    await secrets.addStoredTokens(tenant);
    const grantId = zoom.inspect().grants.find((g) => !g.ended)!.id;

    const latencies: number[] = [];
    const failures: string[] = [];
    for (let round = 0; round < EXPIRIES; round++) {
      zoom.clock.advance(61 * 60_000); // the access token is now expired at Zoom: every call gets a 124 first
      const results = await Promise.all(Array.from({ length: CALLS_PER_ROUND }, (_, i) => verify(replicas[i % replicas.length]!)));
      for (const r of results) {
        latencies.push(r.ms);
        if (r.status !== 200) failures.push(`round ${round}: ${r.status} ${r.code}`);
      }
      await secrets.addStoredTokens(tenant);
    }
    const inspection = zoom.inspect();
    latencies.sort((a, b) => a - b);
    console.log(
      `[measure] ${replicas.length} replicas, ${latencies.length} calls over ${EXPIRIES} expiries: refresh calls ${inspection.refreshCalls[grantId]}, ` +
        `reused refresh tokens ${inspection.reusedRefreshTokens.length}, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
    );
    expect(failures).toEqual([]);
    expect(inspection.refreshCalls[grantId]).toBe(EXPIRIES);
    expect(inspection.reusedRefreshTokens).toEqual([]);
    const waits = await Promise.all(
      replicas.map(
        async (r) => (await (await fetch(`${r.apiUrl}/metrics`)).text()).match(/^zio_service_token_refresh_waits_total (\d+)/m)?.[1],
      ),
    );
    console.log(`[measure] refresh waits per replica (lock held by another replica): ${waits.join(", ")}`);
  });

  it("drains in-flight requests on SIGTERM and exits cleanly", async () => {
    zoom.faults.inject("GET /v2/users/{userId}", { kind: "latency", ms: 700 }, { times: 10 });
    const last = replicas[2]!;
    const inflight = Array.from({ length: 10 }, () => verify(last));
    await new Promise((r) => setTimeout(r, 200));
    const exit = last.stop();
    const results = await Promise.all(inflight);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await exit).toBe(0);
    expect((await fetch(`${last.apiUrl}/healthz`).catch(() => undefined))?.status).toBeUndefined();
  });

  it("logged none of the tokens, codes or secrets the run used", () => {
    const lines = replicas.flatMap((r) => r.lines);
    expect(lines.length).toBeGreaterThan(100);
    expect(secrets.values.size).toBeGreaterThan(2 * EXPIRIES);
    expect(secrets.leaks(lines)).toEqual([]);
  });
});

// Replicas of one tenant's service, as the booking app meets them: a change of a connection made
// through one replica is what every replica answers right away (never a stale "reauthorize"), and
// a roll of the tenant's pods loses no request sent through the real edge (Traefik, routing by the
// chart's Ingress) or the Service. The service's RSS is printed idle and after the load.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { API_PORT, PUBLIC_PORT } from "../../common/tenant/names.ts";
import { type RunningService, startBrowserFlow, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { compileService, podNodeOptions, type ServiceBuild } from "../support/service-build.ts";
import { type ServiceWorkload, startServiceWorkload, workloadOptions } from "../support/service-workload.ts";
import { encryptedToken, signWebhook, startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

const ORG = "org-agree";
/** What the kubelet's preStop sleep does in a cluster: keep serving while balancers notice. */
const DRAIN = { SHUTDOWN_DELAY_SECONDS: "1" };
const ZOOM_LATENCY_MS = 300;
const WEBHOOK_SECRET = "roll-webhook-secret-token";
const WEBHOOK_PATH = "/zoom-integration/webhook";
const RATE_PER_SECOND = 50;
/** How long the stream goes on after the roll; ZIO_ROLL_SUSTAIN_SECONDS=300 for a longer look at the pods' memory. */
const SUSTAIN_SECONDS = Number(process.env["ZIO_ROLL_SUSTAIN_SECONDS"] ?? 5);

let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let replicas: ServiceProcess[] = [];
let started = 0;
let roll: ServiceWorkload | undefined;
const ns = useNamespace("svc-replicas", async () =>
  [...replicas.map((r) => `--- ${r.podName}\n${r.lines.slice(-30).join("\n")}`), (await roll?.logs()) ?? ""].join("\n"),
);

const replica = () => startServiceProcess(tenant, `svc-${started++}`, DRAIN);
const asRunning = (r: ServiceProcess) => ({ publicUrl: r.publicUrl, apiUrl: r.apiUrl }) as RunningService;
const rssOf = (pid: number | undefined) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const rssMiB = (r: ServiceProcess) => rssOf(r.pid);
/** The kernel's peak RSS of the process (VmHWM), so a spike between two samples is not missed. */
const hwmOf = (pid: number) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0; // the pod's process has exited
  }
};

/** Zoom's `endpoint.url_validation`, signed as Zoom signs it, through the edge: the expected answer or what failed. */
async function zoomUrlValidation(w: ServiceWorkload, plainToken: string): Promise<string | undefined> {
  const body = JSON.stringify({ event: "endpoint.url_validation", payload: { plainToken }, event_ts: Date.now() });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    "content-type": "application/json",
    "x-zm-request-timestamp": timestamp,
    "x-zm-signature": signWebhook(WEBHOOK_SECRET, timestamp, body),
  };
  const a = await w.viaEdge(WEBHOOK_PATH, { method: "POST", headers, body });
  const answer = JSON.parse(a.status === 200 ? a.body : "{}") as { encryptedToken?: string };
  return answer.encryptedToken === encryptedToken(WEBHOOK_SECRET, plainToken) ? undefined : `edge ${a.status} ${a.body.slice(0, 200)}`;
}

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
});

describe("a roll of the tenant's pods under a steady stream", () => {
  let build: ServiceBuild | undefined;
  afterAll(async () => {
    await roll?.stop();
    build?.remove();
  });

  it(
    "fails no request sent through real Traefik (Zoom's webhooks) and the Service (the booking app's calls) while every pod is replaced",
    async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      replicas = [];
      const rolled = await prepareServiceTenant({
        namespace: ns.name,
        name: "rolled",
        zoomUrl: zoom.url,
        webhookSecretToken: WEBHOOK_SECRET,
        workload: workloadOptions(3),
      });
      build = compileService();
      roll = await startServiceWorkload(rolled, { env: DRAIN, build });
      const pod = roll.pods()[0]!;
      const direct = { publicUrl: `http://${pod.podIP}:${PUBLIC_PORT}`, apiUrl: `http://${pod.podIP}:${API_PORT}` } as RunningService;
      const flow = await startBrowserFlow(direct, zoom, rolled.apiToken, ORG);
      expect((await visit(direct, flow.redirect, flow.cookie)).location).toContain("zoom=connected");

      // NB: a slow Zoom keeps booking-app calls in flight on every pod when it is told to stop.
      zoom.faults.inject("GET /v2/users/{userId}", { kind: "latency", ms: ZOOM_LATENCY_MS });
      const w = roll;
      const failures: string[] = [];
      const counts = { edge: 0, service: 0 };
      const inflight: Promise<void>[] = [];
      const verify = () =>
        w
          .viaService(`/v1/organizations/${ORG}/zoom/connection/verify`, {
            method: "POST",
            headers: { authorization: `Bearer ${rolled.apiToken}` },
          })
          .then((a) => (a.status === 200 ? undefined : `service ${a.status} ${a.body.slice(0, 200)}`));
      /** Every other request is Zoom's webhook through Traefik, the rest the booking app's call through the Service. */
      const send = (i: number): Promise<string | undefined> => {
        const toEdge = i % 2 === 0;
        counts[toEdge ? "edge" : "service"]++;
        return toEdge ? zoomUrlValidation(w, `plain-${i}`) : verify();
      };
      let sent = 0;
      const started = performance.now();
      // NB: paced by the clock, not one request per tick: a busy test process fires timers late.
      const stream = setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE_PER_SECOND);
        for (; sent < due; sent++) {
          inflight.push(
            send(sent).then(
              (f) => void (f && failures.push(f)),
              (error: unknown) => void failures.push(String(error)),
            ),
          );
        }
      }, 10);
      const idle = w.pods().map((p) => rssOf(p.pid));
      const peaks = new Map<number, number>();
      const sampler = setInterval(() => {
        for (const p of w.pods()) if (p.pid !== undefined) peaks.set(p.pid, Math.max(peaks.get(p.pid) ?? 0, hwmOf(p.pid)));
      }, 200);
      await new Promise((r) => setTimeout(r, 1000));
      const before = new Set(w.pods().map((p) => p.pod));
      await w.rotateCredentials();
      await w.rolledOut();
      const timeline: string[] = []; // the new pods' largest RSS every 30 s: growth would show
      for (let elapsed = 0; elapsed < SUSTAIN_SECONDS; elapsed += 30) {
        await new Promise((r) => setTimeout(r, Math.min(30, SUSTAIN_SECONDS - elapsed) * 1000));
        timeline.push(`${Math.min(elapsed + 30, SUSTAIN_SECONDS)} s ${Math.max(...w.pods().map((p) => rssOf(p.pid))).toFixed(0)}`);
      }
      clearInterval(stream);
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(inflight);
      clearInterval(sampler);
      const after = w.pods();
      const peak = Math.max(...peaks.values());
      const edgeServed = (await w.edge.requests()).filter((r) => r.path === WEBHOOK_PATH);
      console.log(
        `[measure] roll of 3 pods under ${RATE_PER_SECOND} req/s: ${sent} requests in ${seconds.toFixed(0)} s (${(sent / seconds).toFixed(0)}/s; ${counts.edge} Zoom webhooks through Traefik, ` +
          `${counts.service} booking-app calls through the Service), ${failures.length} failed; Traefik logged ${edgeServed.length} webhooks; ` +
          `${SUSTAIN_SECONDS} s of it after the roll`,
      );
      console.log(
        `[measure] service pod RSS (the build, ${podNodeOptions()}): idle ${idle.map((m) => m.toFixed(0)).join(", ")} MiB; ` +
          `peak under the stream ${peak.toFixed(0)} MiB (of ${peaks.size} pods); the new pods after it ${after.map((p) => rssOf(p.pid).toFixed(0)).join(", ")} MiB ` +
          `(largest after the roll: ${timeline.join(", ")} MiB)`,
      );
      expect(after.filter((p) => before.has(p.pod))).toEqual([]);
      expect(edgeServed.filter((r) => r.status !== 200)).toEqual([]);
      expect(edgeServed.length).toBe(counts.edge);
      expect(failures).toEqual([]);
    },
    120_000 + SUSTAIN_SECONDS * 1000,
  );
});

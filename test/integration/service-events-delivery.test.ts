// Durable delivery of the booking app's events (issue 17) on the real control plane with two real
// service processes: a receiver down for a while then back (every event delivered, in order, none
// lost), the delivering replica SIGKILLed mid-delivery (no loss, duplicates only with the same id),
// and the figures: delivery latency from Zoom's webhook to the booking app, and the catch-up time
// after an outage. CI runs reduced counts; ZIO_EVENTS_CATCHUP=1000 ZIO_EVENTS_LATENCY=200 the full ones.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantNames } from "../../common/tenant/names.ts";
import { eventShardName } from "../../common/tenant/event-shards.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { type EventReceiver, firstArrivals, startEventReceiver } from "../support/event-receiver.ts";
import { apiCall, createMeeting, endpointPath, FAST_EVENTS, metric, webhookTarget } from "../support/events-support.ts";
import { eventually } from "../support/eventually.ts";
import { type RunningService, startBrowserFlow, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

const ORG = "org-a";
const CATCHUP = Number(process.env["ZIO_EVENTS_CATCHUP"] ?? 100);
const LATENCY_SAMPLES = Number(process.env["ZIO_EVENTS_LATENCY"] ?? 20);
/** Webhooks in flight while the backlog builds (Zoom's own rate is far lower: a burst is the hard case). */
const CATCHUP_CONCURRENCY = Number(process.env["ZIO_EVENTS_CONCURRENCY"] ?? 4);

let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let replicas: ServiceProcess[] = [];
let receiver: EventReceiver;
let meetingId = "";
let edits = 0;
const ns = useNamespace("svc-ev-delivery", () => replicas.map((r) => `--- ${r.podName}\n${r.lines.slice(-40).join("\n")}`).join("\n"));

/** One Zoom-side edit of the meeting, sent to a replica: one event for ORG. */
const edit = (r: ServiceProcess) => zoom.meetingWebhooks.edit("acme-client", meetingId, { topic: `edit-${edits++}` }, webhookTarget(r));
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

async function holderName(): Promise<string | undefined> {
  const core = clusterEnv().kc.makeApiClient(CoreV1Api);
  const map = await core.readNamespacedConfigMap({ name: eventShardName(tenantNames("acme").stateConfigMap, 0), namespace: ns.name });
  const lock = map.metadata?.annotations?.["bookingops.dev/delivery-lock"];
  return lock ? (JSON.parse(lock) as { holder: string }).holder : undefined;
}

/**
 * Sends `count` events through both replicas, `concurrency` at a time, as Zoom would: an answer later
 * than 3 s is a timeout that Zoom retries 5, 20 and 60 minutes later (the emulator's clock is moved
 * on for it). Answers the slowest answer (ms) and how many were late.
 */
async function sendMany(count: number, concurrency: number): Promise<{ slowest: number; late: number }> {
  let next = 0;
  let slowest = 0;
  let late = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < count) {
        next++;
        const t0 = performance.now();
        const delivery = await edit(replicas[worker % replicas.length]!);
        slowest = Math.max(slowest, performance.now() - t0);
        if (!delivery.acknowledged) late++;
      }
    }),
  );
  for (const minutes of late > 0 ? [5, 15, 40] : []) {
    zoom.clock.advance(minutes * 60_000);
    await zoom.webhooks.runDue();
  }
  return { slowest, late };
}

function expectInOrderWithoutLoss(count: number): void {
  const first = firstArrivals(receiver.events);
  expect(first).toHaveLength(count);
  const sequences = first.map((e) => Number(e.sequence));
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
}

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url, webhookSecretToken: "acme-webhook-secret" });
  replicas = await Promise.all(["svc-0", "svc-1"].map((pod) => startServiceProcess(tenant, pod, FAST_EVENTS)));
  receiver = await startEventReceiver();
  const flow = await startBrowserFlow(replicas[0] as unknown as RunningService, zoom, tenant.apiToken, ORG);
  expect((await visit(replicas[0] as unknown as RunningService, flow.redirect, flow.cookie)).location).toContain("zoom=connected");
  meetingId = await createMeeting(tenant, replicas[0]!.apiUrl, ORG, "booking-1");
  const registered = await apiCall(tenant, replicas[0]!.apiUrl, "PUT", endpointPath(ORG), {
    url: receiver.url,
    types: ["meeting.updated"],
  });
  receiver.setSecrets([registered.json["signingSecret"] as string]);
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await Promise.all([receiver?.close(), zoom?.close()]);
});

describe("durable delivery", () => {
  it("measures the delay from Zoom's webhook to the booking app, through the delivering replica and the other one", async () => {
    const holder = await eventually(async () => (await holderName()) ?? Promise.reject(new Error("no holder yet")));
    const ms: Record<string, number[]> = { holder: [], other: [] };
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const r = replicas[i % 2]!;
      const before = receiver.events.length;
      const t0 = performance.now();
      await edit(r);
      await eventually(() => expect(receiver.events.length).toBe(before + 1), { interval: 2 });
      ms[r.podName === holder ? "holder" : "other"]!.push(receiver.events.at(-1)!.arrivedAt - t0);
    }
    for (const [via, samples] of Object.entries(ms)) {
      const sorted = [...samples].sort((a, b) => a - b);
      console.log(
        `[measure] event latency, webhook to the ${via} replica -> booking app (${sorted.length} events, poll ${FAST_EVENTS.EVENTS_POLL_MS} ms): p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${percentile(sorted, 0.99).toFixed(0)} ms`,
      );
    }
    expectInOrderWithoutLoss(LATENCY_SAMPLES);
  });

  it("delivers every event, in order, after the receiver was down for a while, and says how long catching up took", async () => {
    receiver.events.length = 0;
    await receiver.down();
    const t0 = performance.now();
    const { slowest, late } = await sendMany(CATCHUP, CATCHUP_CONCURRENCY);
    const recordSeconds = (performance.now() - t0) / 1000;
    await eventually(async () => {
      const answer = await apiCall(tenant, replicas[1]!.apiUrl, "GET", endpointPath(ORG));
      expect(answer.json["delivery"]).toMatchObject({ state: "Failing", pendingEvents: CATCHUP });
    });
    const up = performance.now();
    await receiver.up();
    await eventually(() => expect(firstArrivals(receiver.events)).toHaveLength(CATCHUP), { timeout: 120_000, interval: 20 });
    const seconds = (receiver.events.at(-1)!.arrivedAt - up) / 1000;
    console.log(
      `[measure] catch-up after an outage: ${CATCHUP} events recorded through Zoom webhooks in ${recordSeconds.toFixed(1)} s (${CATCHUP_CONCURRENCY} at a time, slowest answer to Zoom ${slowest.toFixed(0)} ms, ${late} later than Zoom's 3 s and retried), delivered ${seconds.toFixed(1)} s after the receiver came back (${(CATCHUP / seconds).toFixed(0)} events/s, including up to ${FAST_EVENTS.EVENTS_MAX_BACKOFF_SECONDS} s of backoff)`,
    );
    expectInOrderWithoutLoss(CATCHUP);
    expect(receiver.refused).toEqual([]);
  });

  it("loses nothing when the delivering replica is killed mid-delivery; a repeat carries the same id", async () => {
    receiver.events.length = 0;
    receiver.behave({ delayMs: 40 });
    const count = 40;
    await sendMany(count, 2);
    await eventually(() => expect(receiver.events.length).toBeGreaterThanOrEqual(5), { interval: 5 });
    const name = await holderName();
    const victim = replicas.find((r) => r.podName === name)!;
    const survivor = replicas.find((r) => r !== victim)!;
    await victim.kill();
    const deliveredBeforeKill = receiver.events.length;
    await eventually(() => expect(firstArrivals(receiver.events)).toHaveLength(count), { timeout: 60_000 });
    console.log(
      `[measure] kill mid-delivery: ${deliveredBeforeKill}/${count} delivered at the kill, ${receiver.events.length - count} sent twice (same id)`,
    );
    expectInOrderWithoutLoss(count);
    expect(await metric(survivor.apiUrl, "zio_service_event_delivery_lock_takeovers_total")).toBe(1);
    expect(await holderName()).toBe(survivor.podName);
    replicas = replicas.filter((r) => r !== victim);
  });
});

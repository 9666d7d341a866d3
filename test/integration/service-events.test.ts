// The booking app is told what happened (issue 17), through two real service processes on the real
// control plane with the Zoom emulator: endpoints registered per organization, each Zoom event type
// sent signed by the emulator reaching the booking app as the right CloudEvent (verified with the
// typed client's Standard Webhooks verifier), recorded before Zoom is answered, a receiver that
// answers 500 forever reported without holding up another, the pull API's cursor, a secret
// rotation, and deauthorization's data rules.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createZoomIntegrationClient } from "../../service/client/client.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { type EventReceiver, startEventReceiver } from "../support/event-receiver.ts";
import { apiCall, createMeeting, endpointPath, FAST_EVENTS, metric, pullAll, webhookTarget } from "../support/events-support.ts";
import { eventually } from "../support/eventually.ts";
import { type RunningService, startBrowserFlow, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

// NB: in different event shards (sha1 % 8: 1 and 5), as two real organizations mostly are.
const A = "org-a";
const B = "org-b";

let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let replicas: ServiceProcess[] = [];
let okReceiver: EventReceiver;
let failingReceiver: EventReceiver;
let meetingId = "";
const secrets: string[] = [];
const ns = useNamespace("svc-events", () => replicas.map((r) => `--- ${r.podName}\n${r.lines.slice(-40).join("\n")}`).join("\n"));

const call = (method: string, path: string, body?: unknown, r = replicas[0]!) => apiCall(tenant, r.apiUrl, method, path, body);
const asRunning = (r: ServiceProcess) => ({ publicUrl: r.publicUrl, apiUrl: r.apiUrl }) as RunningService;
const typesOf = (events: readonly { type: string }[]) => events.map((e) => e.type);

async function connect(org: string, r: ServiceProcess): Promise<void> {
  const flow = await startBrowserFlow(asRunning(r), zoom, tenant.apiToken, org);
  expect((await visit(asRunning(r), flow.redirect, flow.cookie)).location).toContain("zoom=connected");
}

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url, webhookSecretToken: "acme-webhook-secret" });
  replicas = await Promise.all(["svc-0", "svc-1"].map((pod) => startServiceProcess(tenant, pod, FAST_EVENTS)));
  okReceiver = await startEventReceiver();
  failingReceiver = await startEventReceiver();
  failingReceiver.behave({ status: 500 });
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await Promise.all([okReceiver?.close(), failingReceiver?.close(), zoom?.close()]);
});

describe("events for the booking app", () => {
  it("registers an endpoint per organization and shows its signing secret once", async () => {
    const created = await call("PUT", endpointPath(A), { url: okReceiver.url });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ url: okReceiver.url, types: null, delivery: { state: "Healthy", pendingEvents: 0 } });
    const secret = created.json["signingSecret"] as string;
    expect(secret).toMatch(/^whsec_/);
    secrets.push(secret);
    okReceiver.setSecrets([secret]);
    const again = await call("PUT", endpointPath(A), { url: okReceiver.url });
    expect(again.status).toBe(200);
    for (const answer of [again, await call("GET", endpointPath(A), undefined, replicas[1])]) expect(answer.text).not.toContain("whsec_");
    expect((await call("PUT", endpointPath(B), { url: failingReceiver.url })).status).toBe(201);
  });

  it("refuses a bad registration naming the field, and answers 404 for an organization without one", async () => {
    const cases: [unknown, string][] = [
      [{ url: "ftp://example.test/x" }, "body.url"],
      [{ url: "https://user:pw@example.test/x" }, "body.url"],
      [{ url: okReceiver.url, types: ["meeting.exploded"] }, "body.types.0"],
      [{ url: okReceiver.url, extra: 1 }, "body.extra"],
    ];
    for (const [body, field] of cases) {
      const answer = await call("PUT", endpointPath("org-z"), body);
      expect([answer.status, (answer.json["details"] as { field?: string } | undefined)?.field]).toEqual([400, field]);
    }
    expect((await call("GET", endpointPath("org-z"))).json).toMatchObject({ code: "NOT_FOUND" });
    expect((await call("GET", "/v1/events?organizationId=org-a&after=bogus")).json).toMatchObject({ details: { field: "query.after" } });
  });

  it("tells an organization that Zoom connected", async () => {
    await connect(A, replicas[0]!);
    await connect(B, replicas[1]!); // NB: the same Zoom account: meeting events concern both organizations
    await eventually(() => expect(typesOf(okReceiver.events)).toEqual(["connection.connected"]));
    expect(okReceiver.events[0]).toMatchObject({
      subject: "connection",
      data: { organizationId: A, state: "Connected", accountId: "acme-account" },
    });
  });

  it("forwards each Zoom meeting event, recorded before Zoom gets its answer, as the right event in order", async () => {
    meetingId = await createMeeting(tenant, replicas[0]!.apiUrl, B, "booking-1");
    const send = [
      () => zoom.meetingWebhooks.send("acme-client", "meeting.created", meetingId, webhookTarget(replicas[0]!)),
      () => zoom.meetingWebhooks.edit("acme-client", meetingId, { topic: "Moved in Zoom" }, webhookTarget(replicas[1]!)),
      () => zoom.meetingWebhooks.send("acme-client", "meeting.started", meetingId, webhookTarget(replicas[0]!)),
      () => zoom.meetingWebhooks.send("acme-client", "meeting.ended", meetingId, webhookTarget(replicas[1]!)),
      () => zoom.meetingWebhooks.send("acme-client", "meeting.deleted", meetingId, webhookTarget(replicas[0]!)),
    ];
    for (const [i, deliver] of send.entries()) {
      expect(await deliver()).toMatchObject({ status: 200, acknowledged: true });
      // NB: Zoom's 200 came after the event was written: the other replica's pull API sees it already
      expect((await pullAll(tenant, replicas[1]!.apiUrl, B, 100)).events).toHaveLength(2 + i);
    }
    const expected = ["meeting.created", "meeting.updated", "meeting.started", "meeting.ended", "meeting.deleted"];
    await eventually(() => expect(typesOf(okReceiver.events)).toEqual(["connection.connected", ...expected]));
    const meetings = okReceiver.events.slice(1);
    for (const e of meetings) expect(e).toMatchObject({ subject: `meetings/${meetingId}`, data: { organizationId: A, meetingId } });
    expect(meetings[1]?.data).toMatchObject({ changedFields: ["topic"], topic: "Moved in Zoom", operator: "admin@acme.example" });
    expect(meetings[3]?.data).toMatchObject({ participantCount: null, endTime: expect.any(String) });
    expect(meetings.map((e) => Number(e.sequence))).toEqual([2, 3, 4, 5, 6]);
    expect(okReceiver.refused).toEqual([]);
  });

  it("reports an endpoint that answers 500 forever, while the other organization's events flow", async () => {
    await eventually(async () => {
      const b = await call("GET", endpointPath(B));
      expect(b.json["delivery"]).toMatchObject({ state: "Failing", lastError: "HTTP 500", pendingEvents: 6 });
      expect(Math.max(...(await Promise.all(replicas.map((r) => metric(r.apiUrl, "zio_service_event_endpoints_failing")))))).toBe(1);
    });
    expect((await call("GET", endpointPath(A))).json["delivery"]).toMatchObject({ state: "Healthy", pendingEvents: 0 });
    expect(failingReceiver.events).toEqual([]);
  });

  it("pages through an organization's retained events in order with an opaque cursor", async () => {
    const { events, next } = await pullAll(tenant, replicas[1]!.apiUrl, B, 2);
    expect(events.map((e) => Number(e.sequence))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(typesOf(events)).toEqual(["connection.connected", ...typesOf(okReceiver.events.slice(1))]);
    const client = createZoomIntegrationClient({ baseUrl: replicas[0]!.apiUrl, token: tenant.apiToken });
    expect(await client.pullEvents({ organizationId: B, after: next })).toEqual({ events: [], next, truncated: false });
    const page = await client.pullEvents({ organizationId: B, limit: 3 });
    expect(page.events.map((e) => e.id)).toEqual(events.slice(0, 3).map((e) => e.id));
    expect((await client.pullEvents({ organizationId: B, after: page.next })).events.map((e) => e.id)).toEqual(
      events.slice(3).map((e) => e.id),
    );
  });

  it("rotates the signing secret: both sign during the overlap, only the new one after it", async () => {
    const rotated = await call("POST", `${endpointPath(A)}/secret`, { overlapSeconds: 3600 });
    const fresh = rotated.json["signingSecret"] as string;
    secrets.push(fresh);
    okReceiver.setSecrets([fresh]);
    const second = await createMeeting(tenant, replicas[0]!.apiUrl, B, "booking-2");
    await zoom.meetingWebhooks.send("acme-client", "meeting.created", second, webhookTarget(replicas[0]!));
    await eventually(() => expect(okReceiver.events.at(-1)?.data["meetingId"]).toBe(second));
    const cut = await call("POST", `${endpointPath(A)}/secret`, { overlapSeconds: 0 });
    secrets.push(cut.json["signingSecret"] as string);
    await zoom.meetingWebhooks.send("acme-client", "meeting.started", second, webhookTarget(replicas[1]!));
    await eventually(() => expect(okReceiver.refused.length).toBeGreaterThan(0)); // holding a secret no longer used
    okReceiver.setSecrets([cut.json["signingSecret"] as string]);
    await eventually(() => expect(okReceiver.events.at(-1)).toMatchObject({ type: "meeting.started", data: { meetingId: second } }));
  });

  it("on deauthorization deletes the account's tokens and events at once and says what to delete by when", async () => {
    const userId = zoom.inspect().grants.find((g) => !g.ended)!.userId;
    const delivery = await zoom.webhooks.sendDeauthorized(
      "acme-client",
      { accountId: "acme-account", userId },
      webhookTarget(replicas[1]!),
    );
    expect(delivery).toMatchObject({ status: 200, acknowledged: true });
    await eventually(() => expect(okReceiver.events.at(-1)?.type).toBe("connection.deauthorized"));
    const data = okReceiver.events.at(-1)!.data;
    expect(data).toMatchObject({ organizationId: A, accountId: "acme-account", userDataRetention: false });
    expect(Date.parse(data["deleteZoomDataBy"] as string) - Date.parse(data["deauthorizedAt"] as string)).toBe(10 * 86_400_000);
    for (const org of [A, B]) {
      expect(typesOf((await pullAll(tenant, replicas[0]!.apiUrl, org)).events)).toEqual(["connection.deauthorized"]);
      expect((await call("GET", `/v1/organizations/${org}/zoom/connection`)).json["state"]).toBe("NotConnected");
    }
    const core = clusterEnv().kc.makeApiClient(CoreV1Api);
    const maps = await core.listNamespacedConfigMap({ namespace: ns.name });
    const stored = JSON.stringify(maps.items.filter((m) => m.metadata?.name?.includes("-events-")).map((m) => m.data));
    for (const zoomData of [meetingId, "Moved in Zoom", "Consultation", userId]) expect(stored).not.toContain(zoomData);
  });

  it("never writes a signing secret to a log", () => {
    for (const r of replicas) expect(r.lines.filter((line) => secrets.some((s) => line.includes(s.slice(6))))).toEqual([]);
  });
});

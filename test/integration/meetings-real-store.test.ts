// The meetings API on the real idempotency store (shard ConfigMaps on the real control plane, as the
// tenant's ServiceAccount under the chart's Role) and the Zoom emulator: records follow the
// meeting's life across the store, and concurrent bookings never meet a 503.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTenant } from "../../charts/tenant/render.ts";
import { minimalProps } from "../../charts/tenant/test-fixtures.ts";
import { ErrorCode } from "../../service/errors.ts";
import { ConfigMapIdempotencyStore } from "../../service/meetings/configmap-idempotency-store.ts";
import { kubectl, userKubeConfig, useNamespace } from "../support/cluster-env.ts";
import { failureOf, startTestService, TEST_BOOKING, type TestService } from "../support/meetings-support.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

const ns = useNamespace("meetings-store");
let zoom: ZoomEmulator;
let service: TestService;
let kc: KubeConfig;

beforeAll(async () => {
  const objects = renderTenant(minimalProps({ namespace: ns.name }))
    .filter((o) => ["ServiceAccount", "Role", "RoleBinding", "ConfigMap"].includes(o.kind))
    .map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } }));
  const applied = await kubectl(["apply", "-n", ns.name, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  });
  expect(applied.code, applied.stderr).toBe(0);
  kc = await userKubeConfig(`system:serviceaccount:${ns.name}:acme-zoom`, ["system:serviceaccounts", `system:serviceaccounts:${ns.name}`]);
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  // NB: the CoreV1Api form, as service/main.ts builds it today.
  const store = new ConfigMapIdempotencyStore({ api: kc.makeApiClient(CoreV1Api), namespace: ns.name, name: "acme-zoom-state" });
  service = await startTestService(zoom, { store });
});
afterAll(async () => {
  await service?.close();
  await zoom?.close();
});

const live = () => zoom.inspect().meetings.filter((m) => !m.deleted);

describe("the meetings API on the real store", () => {
  it("creates 40 bookings at once with no refusal, and a retry of each replays it", async () => {
    const bookings = Array.from({ length: 40 }, (_, i) => ({ ...TEST_BOOKING, bookingId: `many-${i}`, startLocal: "2030-01-15T10:00" }));
    const created = await Promise.all(bookings.map((b) => service.client.createMeeting(b)));
    const again = await Promise.all(bookings.map((b) => service.client.createMeeting(b)));
    expect(again.map((m) => m.id)).toEqual(created.map((m) => m.id));
    expect(again.every((m) => m.replayed)).toBe(true);
    expect(new Set(created.map((m) => m.id)).size).toBe(40);
  });

  it("makes a new meeting for a booking cancelled through the API, and for one deleted in Zoom after MEETING_GONE", async () => {
    const booking = { ...TEST_BOOKING, bookingId: "life-1", startLocal: "2030-02-01T10:00" };
    const first = await service.client.createMeeting(booking);
    await service.client.deleteMeeting("acme", first.id);
    const second = await service.client.createMeeting({ ...booking, startLocal: "2030-02-02T10:00" });
    expect(second.id).not.toBe(first.id);

    const { accessToken } = await service.tokens.get("acme");
    await fetch(`${zoom.url}/v2/meetings/${second.id}`, { method: "DELETE", headers: { authorization: `Bearer ${accessToken}` } });
    const gone = await failureOf(service.client.getMeeting("acme", second.id));
    expect([gone.status, gone.code]).toEqual([404, ErrorCode.MeetingGone]);
    const third = await service.client.createMeeting({ ...booking, startLocal: "2030-02-02T10:00" });
    expect([third.id === second.id, third.replayed]).toEqual([false, false]);
    expect(
      live()
        .filter((m) => [first.id, second.id, third.id].includes(m.id))
        .map((m) => m.id),
    ).toEqual([third.id]);
  });
});

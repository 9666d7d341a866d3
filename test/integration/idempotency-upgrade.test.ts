// Upgrade safety of the idempotency store on the real control plane: during the roll from the
// single-ConfigMap store to the 512 shards, a create recorded by an old pod (an `idempotency.<key>`
// entry in the state ConfigMap) and retried on a new pod replays that meeting instead of making a
// second one, and the new pod never writes the old format.
import { createHash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTenant } from "../../charts/tenant/render.ts";
import { minimalProps } from "../../charts/tenant/test-fixtures.ts";
import { rawRequest, resourcePath } from "../../common/kube/raw-client.ts";
import { ErrorCode } from "../../service/errors.ts";
import { ConfigMapIdempotencyStore } from "../../service/meetings/configmap-idempotency-store.ts";
import { fingerprintOf } from "../../service/meetings/idempotent-create.ts";
import { CreateMeetingRequest } from "../../service/meetings/schemas.ts";
import { kubectl, userKubeConfig, useNamespace } from "../support/cluster-env.ts";
import { failureOf, startTestService, TEST_BOOKING, type TestService } from "../support/meetings-support.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";

const ns = useNamespace("idem-upgrade");
const STATE = "acme-zoom-state";
const HOUR = 3_600_000;
let zoom: ZoomEmulator;
let service: TestService;
let kc: KubeConfig;

/** The old store's data key: `idempotency.` + 40 characters of sha256(organization \0 key). */
function legacyDataKey(organizationId: string, key: string): string {
  return `idempotency.${createHash("sha256").update(`${organizationId}\0${key}`).digest("base64url").slice(0, 40)}`;
}

/** What an old pod wrote for a booking, in its format (a JSON string per data key, every field kept). */
function legacyRecord(booking: CreateMeetingRequest, fields: { s: "p" | "d"; l: number; e: number; m?: string }): string {
  const now = zoom.clock.now();
  return JSON.stringify({ f: fingerprintOf(CreateMeetingRequest.parse(booking)), o: "old-pod-attempt", c: now, h: "me", ...fields });
}

interface ConfigMap {
  metadata: { resourceVersion: string };
  data?: Record<string, string>;
}
const statePath = () => resourcePath("v1", "configmaps", ns.name, STATE);
const readState = () => rawRequest<ConfigMap>(kc, { method: "GET", path: statePath() });

/** Writes old-format records into the state ConfigMap, as the old pod (its ServiceAccount) did: a CAS replace. */
async function writeLegacy(entries: Record<string, string>): Promise<void> {
  const map = await readState();
  const body = { apiVersion: "v1", kind: "ConfigMap", ...map, data: { ...map.data, ...entries } };
  await rawRequest(kc, { method: "PUT", path: statePath(), body });
}

/** A meeting the old pod created at Zoom before it recorded it. */
async function zoomMeeting(topic: string): Promise<string> {
  const { accessToken } = await service.tokens.get("acme");
  const res = await fetch(`${zoom.url}/v2/users/me/meetings`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ topic, type: 2, start_time: "2030-03-01T10:00:00", timezone: "Europe/Berlin", duration: 30 }),
  });
  expect(res.status).toBe(201);
  // NB: Zoom's ids exceed 2^53: read the digits, never a JSON number.
  const id = /"id"\s*:\s*"?(\d+)/.exec(await res.text())?.[1];
  expect(id).toBeDefined();
  return id!;
}

const live = () => zoom.inspect().meetings.filter((m) => !m.deleted);

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
  const store = new ConfigMapIdempotencyStore({ kc, namespace: ns.name, name: STATE, now: () => zoom.clock.now() });
  // NB: a duplicate waits 2 s (not 10) before its 409, to keep the test short.
  service = await startTestService(zoom, { store, timing: { waitMs: 2_000 } });
});
afterAll(async () => {
  await service?.close();
  await zoom?.close();
});

describe("the idempotency store after the upgrade from the single ConfigMap", () => {
  it("replays a create an old pod recorded (by booking id and by Idempotency-Key) instead of creating a second meeting, and writes no old-format key", async () => {
    const byBooking = { ...TEST_BOOKING, bookingId: "old-1", topic: "Recorded by an old pod" };
    const byKey = { ...TEST_BOOKING, bookingId: "old-2", topic: "Recorded by an old pod, keyed" };
    const [m1, m2] = [await zoomMeeting(byBooking.topic), await zoomMeeting(byKey.topic)];
    const now = zoom.clock.now();
    const done = (m: string) => ({ s: "d" as const, l: now - HOUR, e: now + 24 * HOUR, m });
    await writeLegacy({
      [legacyDataKey("acme", "booking:old-1")]: legacyRecord(byBooking, done(m1)),
      [legacyDataKey("acme", "client-key-2")]: legacyRecord(byKey, done(m2)),
    });
    const before = await readState();
    const meetingsBefore = live().length;

    const replay1 = await service.client.createMeeting(byBooking);
    const replay2 = await service.client.createMeeting(byKey, { idempotencyKey: "client-key-2" });
    expect([replay1.id, replay1.replayed, replay2.id, replay2.replayed]).toEqual([m1, true, m2, true]);
    expect(live().length).toBe(meetingsBefore);

    // The same key with another request is refused, as it would have been by the old pod.
    const reused = await failureOf(service.client.createMeeting({ ...byBooking, topic: "Another request" }));
    expect([reused.status, reused.code]).toEqual([422, ErrorCode.IdempotencyMismatch]);

    const after = await readState();
    const legacyKeys = (m: ConfigMap) => Object.entries(m.data ?? {}).filter(([k]) => k.startsWith("idempotency."));
    expect(legacyKeys(after)).toEqual(legacyKeys(before));
  });

  it("waits for a claim an old pod still holds (409 in progress) rather than creating beside it", async () => {
    const booking = { ...TEST_BOOKING, bookingId: "old-pending", topic: "Being created by an old pod" };
    const now = zoom.clock.now();
    await writeLegacy({
      [legacyDataKey("acme", "booking:old-pending")]: legacyRecord(booking, { s: "p", l: now + 10 * 60_000, e: now + 25 * HOUR }),
    });
    const meetingsBefore = live().length;
    const busy = await failureOf(service.client.createMeeting(booking));
    expect([busy.status, busy.code]).toEqual([409, ErrorCode.IdempotencyInProgress]);
    expect(live().length).toBe(meetingsBefore);
  });

  it("creates anew where the old record expired or belongs to another key", async () => {
    const booking = { ...TEST_BOOKING, bookingId: "old-expired", topic: "Recorded long ago" };
    const stale = await zoomMeeting(booking.topic);
    const now = zoom.clock.now();
    await writeLegacy({ [legacyDataKey("acme", "booking:old-expired")]: legacyRecord(booking, { s: "d", l: 0, e: now - 1, m: stale }) });
    const created = await service.client.createMeeting(booking);
    expect([created.id === stale, created.replayed]).toEqual([false, false]);
    const fresh = await service.client.createMeeting({ ...booking, bookingId: "never-recorded" });
    expect(fresh.replayed).toBe(false);
  });
});

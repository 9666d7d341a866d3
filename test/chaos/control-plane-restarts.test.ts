// Scenarios 2 and 3: kube-apiserver restarted (once at once, once stopped for a while) and etcd
// restarted, under booking load, with the operator (production heap limit) and two service
// replicas running. Nothing of ours may restart; watches must resume; a booking that needed the API
// server while it was down is a 503 with Retry-After, never a 500; nothing is lost or duplicated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadState, restartComponent } from "../cluster/control-plane.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { ziApi } from "../support/tenant-fixtures.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { bookingClient, compareWithZoom, connectOrg, newTally, runBookings, ServiceFleet, type Tally } from "./support/booking-load.ts";
import { COUNTS, figures, inParallel, OPERATOR_COMMAND, OPERATOR_NODE_OPTIONS, persist, secondsSince } from "./support/chaos-kit.ts";
import { chaosSeed, createTenant, tenantProblems } from "./support/chaos-tenants.ts";

const TENANTS = Array.from({ length: 6 }, (_, i) => `c${i}`);
let zoom: ZoomEmulator;
let operator: OperatorProcess;
let tenant: ServiceTenant;
let fleet: ServiceFleet;
let generation = 1;
const ops = useNamespace("chaos-cp-ops", () => `${operator?.lines.slice(-60).join("\n")}\n${fleet?.logs() ?? ""}`);
const tenants = useNamespace("chaos-cp-tenants");
const svc = useNamespace("chaos-cp-svc");

beforeAll(async () => {
  // NB: each tenant's credentials are a real app at the emulator: the operator asks Zoom whether they are valid.
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false }, seed: chaosSeed(TENANTS) });
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    command: OPERATOR_COMMAND,
    identity: "cp-op",
    env: { WATCH_NAMESPACES: tenants.name, POD_NAMESPACE: ops.name, LOG_LEVEL: "info", NODE_OPTIONS: OPERATOR_NODE_OPTIONS },
  });
  const { kc } = clusterEnv();
  await inParallel(TENANTS.length, 4, (i) => createTenant(kc, tenants.name, TENANTS[i]!, zoom.url));
  await eventually(async () => expect(await tenantProblems(kc, tenants.name, TENANTS, [])).toEqual([]), {
    timeout: 120_000,
    interval: 1000,
  });
  tenant = await prepareServiceTenant({ namespace: svc.name, zoomUrl: zoom.url });
  fleet = await ServiceFleet.start(tenant, 2);
  await connectOrg(fleet, zoom, tenant);
}, 300_000);
afterAll(async () => {
  await fleet?.stop();
  await operator?.stop();
  await zoom?.close();
});

/** Bookings at a steady trickle until `tally.stopped` (two booking-app workers). */
function steadyBookings(tally: Tally, prefix: string): Promise<void> {
  const client = bookingClient(tenant, tally, () => fleet.urls());
  return (async () => {
    for (let round = 0; !tally.stopped; round++) await runBookings(client, tally, 14, 2, `${prefix}-${round}`);
  })();
}

/** From the component's return to the reconcile of an edit made then (observedGeneration catches up). */
async function firstReconcileAfterReturn(): Promise<number> {
  const { kc } = clusterEnv();
  const t0 = performance.now();
  const name = TENANTS[0]!;
  generation++;
  await persist(() => ziApi(kc).patch(tenants.name, name, { spec: { service: { replicas: 1 + (generation % 2) } } }));
  await eventually(
    async () => {
      const zi = await ziApi(kc).get(tenants.name, name);
      expect(zi.status?.observedGeneration).toBe(zi.metadata.generation);
    },
    { timeout: 120_000, interval: 200 },
  );
  return secondsSince(t0);
}

async function outage(component: "kube-apiserver" | "etcd", downMs: number, label: string): Promise<void> {
  const tally = newTally();
  const load = steadyBookings(tally, label.replace(/\W+/g, ""));
  await new Promise((r) => setTimeout(r, 3000));
  const state = (await loadState(clusterEnv().dir))!;
  const tDown = performance.now();
  await restartComponent(state, component, { downMs });
  const downFor = secondsSince(tDown);
  const reconcileAfter = await firstReconcileAfterReturn();
  await new Promise((r) => setTimeout(r, 3000));
  // NB: a create cut off by the outage keeps its key "in progress" until the claim expires; such
  // operations are abandoned here (counted), the ones that finished are checked against Zoom.
  tally.stopped = true;
  await load;
  const { kc } = clusterEnv();
  await eventually(async () => expect(await tenantProblems(kc, tenants.name, TENANTS, [])).toEqual([]), {
    timeout: 120_000,
    interval: 1000,
  });
  const { duplicates, lost } = compareWithZoom(zoom, tally);
  const restarted = [operator, ...fleet.every]
    .filter((p) => p.exitStatus() !== undefined)
    .map((p) => ("identity" in p ? p.identity : p.podName));
  figures(label, {
    downS: downFor,
    returnToFirstReconcileS: reconcileAfter,
    bookings: tally.ops,
    abandoned: tally.abandoned,
    longestBookingS: tally.longestOpS,
    failedAttempts: Object.fromEntries(tally.failures),
    violations: tally.violations.slice(0, 5),
    duplicates: duplicates.length,
    lost: lost.length,
    restartedProcesses: restarted.length,
  });
  expect(restarted, "processes of ours that exited").toEqual([]);
  expect(tally.violations, "a 500, or a 503 without Retry-After").toEqual([]);
  expect(duplicates).toEqual([]);
  expect(lost).toEqual([]);
}

describe("the control plane restarted under load", () => {
  it("scenario 2a: kube-apiserver killed and started again at once", async () => {
    await outage("kube-apiserver", 0, "2a kube-apiserver restart");
  });

  it(`scenario 2b: kube-apiserver stopped for ${COUNTS.apiserverDownMs / 1000} s`, async () => {
    await outage("kube-apiserver", COUNTS.apiserverDownMs, "2b kube-apiserver down");
  });

  it("scenario 3: etcd killed and started again", async () => {
    await outage("etcd", 2000, "3 etcd restart");
  });
});

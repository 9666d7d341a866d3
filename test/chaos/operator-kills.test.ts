// Scenario 1 (and 7 for the operator): two operator replicas, each with its production heap limit,
// SIGKILLed at random moments (the leader, the standby, both, and during a hand-over) while
// ZoomIntegrations are created, edited and some deleted. Afterwards every invariant must hold.
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { ziApi } from "../support/tenant-fixtures.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import {
  COUNTS,
  figures,
  inParallel,
  OPERATOR_COMMAND,
  OPERATOR_NODE_OPTIONS,
  oomOf,
  persist,
  secondsSince,
  seededRandom,
  sleep,
} from "./support/chaos-kit.ts";
import { apiTokens, chaosSeed, connectTenant, createTenant, revokeFailedEvents, tenantProblems } from "./support/chaos-tenants.ts";

const LEASE = "zio-chaos";
const IDENTITIES = ["op-a", "op-b"] as const;
const random = seededRandom();
let zoom: ZoomEmulator;
const replicas = new Map<string, OperatorProcess>();
const everyProcess: OperatorProcess[] = [];
const killed = new Set<number>();
const ops = useNamespace("chaos-ops", () =>
  [...replicas.values()].map((o) => `--- ${o.identity}\n${o.lines.slice(-40).join("\n")}`).join("\n"),
);
const tenants = useNamespace("chaos-tenants");

async function startReplica(identity: string): Promise<void> {
  const op = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    command: OPERATOR_COMMAND,
    identity,
    env: {
      WATCH_NAMESPACES: tenants.name,
      POD_NAMESPACE: ops.name,
      LEASE_NAME: LEASE,
      LOG_LEVEL: "info",
      NODE_OPTIONS: OPERATOR_NODE_OPTIONS,
      WORKERS: "4",
    },
  });
  replicas.set(identity, op);
  everyProcess.push(op);
}

async function kill(identity: string): Promise<void> {
  const op = replicas.get(identity);
  if (!op) return;
  killed.add(op.pid);
  await op.kill();
  replicas.delete(identity);
}

const holder = async () =>
  (
    await clusterEnv()
      .kc.makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: LEASE, namespace: ops.name })
      .catch(() => undefined)
  )?.spec?.holderIdentity;

/** Kills `count` times at random moments, each killed replica restarted 0.5-2 s later, as a Deployment would. */
async function chaosMonkey(count: number): Promise<{ kills: number; handovers: number; lastKillAt: number }> {
  let kills = 0;
  let handovers = 0;
  let lastKillAt = performance.now();
  for (let round = 1; kills < count; round++) {
    await sleep(1500 + random.next() * 3500);
    const leader = await holder();
    if (round % 5 === 0 && leader) {
      // a hand-over: the leader stays dead until the standby took the Lease, which is killed at once
      await kill(leader);
      const standby = IDENTITIES.find((i) => i !== leader)!;
      await eventually(async () => expect(await holder()).toBe(standby), { timeout: 40_000, interval: 100 });
      await kill(standby);
      handovers++;
      kills += 2;
      lastKillAt = performance.now();
      await sleep(500 + random.next() * 1500);
      for (const v of IDENTITIES) await startReplica(v);
      continue;
    }
    const roll = random.next();
    const victims = roll < 0.2 ? [...IDENTITIES] : roll < 0.7 && leader ? [leader] : [IDENTITIES[Math.floor(random.next() * 2)]!];
    for (const v of victims) await kill(v);
    kills += victims.length;
    lastKillAt = performance.now();
    await sleep(500 + random.next() * 1500);
    for (const v of victims) await startReplica(v);
  }
  return { kills, handovers, lastKillAt };
}

const names = Array.from({ length: COUNTS.tenants }, (_, i) => `t${i}`);

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false }, seed: chaosSeed(names) });
  for (const id of IDENTITIES) await startReplica(id);
}, 120_000);
afterAll(async () => {
  for (const op of replicas.values()) await op.stop();
  await zoom?.close();
});

describe("scenario 1: operators killed at random while tenants are created, edited and deleted", () => {
  it("converges: live tenants Ready with exactly their children, deleted ones gone with grants revoked, no orphan, no stuck finalizer, no new API token, no OOM", async () => {
    const { kc } = clusterEnv();
    const ns = tenants.name;
    const doomed = names.slice(0, COUNTS.deleted);
    const live = names.slice(COUNTS.deleted);
    const monkey = chaosMonkey(COUNTS.operatorKills);

    await inParallel(names.length, 8, (i) => createTenant(kc, ns, names[i]!, zoom.url));
    // the doomed ones hold a grant to revoke (the tokens Secret appears once an operator applied it)
    const grants = new Map<string, string>();
    for (const name of doomed) grants.set(name, await connectTenant(kc, zoom, ns, name));
    await eventually(async () => expect((await apiTokens(kc, ns, live)).size).toBe(live.length), { timeout: 300_000, interval: 1000 });
    const tokensBefore = await apiTokens(kc, ns, live);
    const edit = { spec: { service: { replicas: 2 } } };
    await inParallel(live.length, 8, (i) => persist(() => ziApi(kc).patch(ns, live[i]!, edit)).then(() => {}));
    await inParallel(doomed.length, 8, (i) => persist(() => ziApi(kc).delete(ns, doomed[i]!)).then(() => {}));
    const { kills, handovers, lastKillAt } = await monkey;

    let problems: string[] = [];
    await eventually(
      async () => {
        problems = await tenantProblems(kc, ns, live, doomed);
        expect(problems).toEqual([]);
      },
      { timeout: 300_000, interval: 1000 },
    ).catch(() => {
      throw new Error(`not converged:\n  ${problems.slice(0, 30).join("\n  ")}`);
    });
    const converged = secondsSince(lastKillAt);

    const failedEvents = await revokeFailedEvents(kc, ns);
    const ended = new Set(
      zoom
        .inspect()
        .grants.filter((g) => g.ended)
        .map((g) => g.id),
    );
    const unrevoked = doomed.filter((n) => !ended.has(grants.get(n)!) && !failedEvents.has(n));
    const tokensAfter = await apiTokens(kc, ns, live);
    const regenerated = live.filter((n) => tokensAfter.get(n) !== tokensBefore.get(n));
    const ooms = everyProcess.flatMap((p) => (killed.has(p.pid) ? [] : [oomOf(p)]).filter(Boolean));
    figures("1 operator kills", {
      tenants: names.length,
      deleted: doomed.length,
      kills,
      killsDuringHandOver: handovers,
      convergeAfterLastKillS: converged,
      revoked: doomed.length - unrevoked.length - failedEvents.size,
      revokeFailedEvents: failedEvents.size,
      regeneratedApiTokens: regenerated.length,
      ooms: ooms.length,
      seed: random.seed,
    });
    expect(unrevoked, "deleted tenants whose grant is neither revoked nor reported").toEqual([]);
    expect(regenerated, "API tokens regenerated").toEqual([]);
    expect(ooms, "operators that ran out of memory").toEqual([]);
    expect(await holder()).toBeDefined();
  });
});

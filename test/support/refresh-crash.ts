// The refresh crash trial: SIGKILL the replica that holds a grant's refresh lock at a random point
// of its refresh, let the others take over, and classify from the outside where the kill landed
// (the emulator times every token request on the wall clock; the tokens Secret shows what was written).
import { CoreV1Api } from "@kubernetes/client-node";
import { GRANT_KEY_PREFIX, grantKey, readGrants } from "../../common/tenant/token-secret.ts";
import type { ZoomEmulator } from "../zoom-emulator/index.ts";
import { clusterEnv } from "./cluster-env.ts";
import type { ServiceProcess } from "./service-process.ts";
import type { ServiceTenant } from "./service-tenant.ts";

/**
 * Where the kill landed. A grant may die only once Zoom rotated its token: "after Zoom answered", or
 * when the request had reached Zoom, which handled it after the client died (as a real server may).
 */
export type KillPhase =
  | "before the call"
  | "during the call"
  | "during the call, handled by Zoom after the kill"
  | "after Zoom answered, before the write"
  | "after the write"
  | "not the holder";

export interface TrialResult {
  readonly phase: KillPhase;
  /** When the SIGKILL was sent (wall clock, ms). */
  readonly killedAt: number;
  /** The survivors' answers after the takeover (HTTP status or error code). */
  readonly answers: readonly string[];
  /** Zoom rotated the refresh token but the Secret never got the new one. */
  readonly grantLost: boolean;
  /** A refresh token presented again although the grant was not lost: a double refresh. */
  readonly unexplainedReuse: number;
  /** The token requests of the trial, for the failure report. */
  readonly detail: string;
}

export interface TrialProps {
  readonly zoom: ZoomEmulator;
  readonly tenant: ServiceTenant;
  readonly victim: ServiceProcess;
  readonly survivors: readonly ServiceProcess[];
  readonly organizationId: string;
  /** Zoom's delay before it handles the victim's refresh (widens "during the call"). */
  readonly zoomLatencyMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls the in-process emulator (cheap) until `ready` holds; false after `timeoutMs`. */
async function until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) return false;
    await sleep(1);
  }
  return true;
}

/**
 * Waits for a randomly chosen point of the victim's refresh: early (mostly before its call to
 * Zoom), during Zoom's latency, right after Zoom handled it (the store window), or anywhere after
 * the call started. Each is a quarter of the trials; where the kill really landed is classified after.
 */
async function killPoint(zoom: ZoomEmulator, from: number, latencyMs: number): Promise<void> {
  const own = () => zoom.inspect().tokenRequests.slice(from);
  const mode = Math.floor(Math.random() * 4);
  if (mode === 0) return sleep(Math.random() * 120);
  if (!(await until(() => own().length > 0, 5000))) return;
  if (mode === 1) return sleep(Math.random() * latencyMs);
  if (mode === 2) {
    await until(() => own()[0]?.handledAt !== undefined, latencyMs + 5000);
    return sleep(Math.random() * 10);
  }
  return sleep(Math.random() * (latencyMs + 150));
}

/** The stored refresh token and who holds the grant's refresh lock, read from the tokens Secret. */
export async function stored(tenant: ServiceTenant, org: string): Promise<{ refreshToken?: string; lockHolder?: string }> {
  const core = clusterEnv().kc.makeApiClient(CoreV1Api);
  const secret = await core.readNamespacedSecret({ name: tenant.tokensSecret, namespace: tenant.namespace });
  const key = grantKey(org);
  const lock = secret.metadata?.annotations?.[`bookingops.dev/refresh-lock.${key.slice(GRANT_KEY_PREFIX.length)}`];
  return {
    refreshToken: readGrants(secret.data).find((g) => grantKey(g.organizationId) === key)?.refreshToken,
    lockHolder: lock ? (JSON.parse(lock) as { holder: string }).holder : undefined,
  };
}

export async function verify(r: ServiceProcess, tenant: ServiceTenant, org: string): Promise<string> {
  try {
    const res = await fetch(`${r.apiUrl}/v1/organizations/${org}/zoom/connection/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.apiToken}` },
    });
    const body = (await res.json()) as { code?: string };
    return res.status === 200 ? "200" : `${res.status} ${body.code}`;
  } catch (error) {
    return `no answer (${(error as Error).cause ?? (error as Error).message})`;
  }
}

/** How long after the victim is seen dead its last request may still be read by Zoom (one event-loop turn, with room). */
const VICTIM_ARRIVAL_SLACK_MS = 200;

export async function crashTrial(p: TrialProps): Promise<TrialResult> {
  const { zoom, tenant, organizationId: org } = p;
  const before = zoom.inspect();
  const tokenBefore = (await stored(tenant, org)).refreshToken;
  zoom.faults.inject("POST /oauth/token", { kind: "latency", ms: p.zoomLatencyMs, abandonIfClosed: true }, { times: 1 });
  zoom.clock.advance(61 * 60_000); // the access token is expired at Zoom: the next call gets a 124, then refreshes
  void verify(p.victim, tenant, org);
  // NB: the others ask while the victim holds the lock, so a lock that fails to hold shows as a second refresh.
  await sleep(30);
  const waiting = p.survivors.map((r) => verify(r, tenant, org));
  await killPoint(zoom, before.tokenRequests.length, p.zoomLatencyMs);
  const killedAt = Date.now();
  await p.victim.kill();
  // NB: SIGKILL is not instant: a request the victim wrote just before it died reaches Zoom after
  // killedAt. Survivors cannot refresh that soon (the lock outlives the victim by its lifetime).
  const deadAt = Date.now() + VICTIM_ARRIVAL_SLACK_MS;
  const atKill = await stored(tenant, org);
  const answers = await Promise.all(waiting);
  zoom.faults.clear("POST /oauth/token");
  const after = zoom.inspect();
  const requests = after.tokenRequests.slice(before.tokenRequests.length).filter((r) => r.arrivedAt <= deadAt);
  const first = requests[0];
  const written = atKill.refreshToken !== tokenBefore;
  // NB: the victim may have lost the race for the lock to a survivor, whose refresh is then the first.
  const holder = atKill.lockHolder === undefined || atKill.lockHolder === p.victim.podName;
  // NB: lost whenever Zoom rotated and the Secret kept the old token, wherever the kill landed.
  const rotatedUnseen = holder && first?.handledAt !== undefined && first.status === 200 && !written;
  const reuses = after.reusedRefreshTokens.length - before.reusedRefreshTokens.length;
  return {
    phase: holder ? phaseOf(first, killedAt, written, requests.length) : "not the holder",
    killedAt,
    answers,
    grantLost: rotatedUnseen,
    unexplainedReuse: rotatedUnseen ? Math.max(0, reuses - 1) : reuses,
    detail: JSON.stringify({
      killedAt,
      written,
      reuses,
      answers,
      requests: after.tokenRequests.slice(before.tokenRequests.length),
    }),
  };
}

function phaseOf(
  first: ReturnType<ZoomEmulator["inspect"]>["tokenRequests"][number] | undefined,
  killedAt: number,
  written: boolean,
  requestsBeforeKill: number,
): KillPhase {
  if (written) return "after the write";
  if (!first) return "before the call";
  if (requestsBeforeKill > 1) return "not the holder";
  if (first.handledAt === undefined) return "during the call";
  if (first.handledAt > killedAt) return "during the call, handled by Zoom after the kill";
  return "after Zoom answered, before the write";
}

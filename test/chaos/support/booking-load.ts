// The booking app under chaos: service replicas as real processes (production heap limit), and a
// client that creates, moves and cancels meetings through whichever replica is up, retrying each
// operation with its Idempotency-Key as a careful booking app would. It tallies every failed
// attempt by status and code, and what it saw succeed, so the scenario can compare with Zoom.
import type { ZoomEmulator } from "../../zoom-emulator/index.ts";
import { type RunningService, startBrowserFlow, visit } from "../../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../../support/service-process.ts";
import type { ServiceTenant } from "../../support/service-tenant.ts";
import { SERVICE_NODE_OPTIONS, sleep } from "./chaos-kit.ts";

export const ORG = "org-chaos";

export class ServiceFleet {
  readonly replicas: (ServiceProcess | undefined)[];
  readonly every: ServiceProcess[] = [];
  readonly killedPids = new Set<number>();
  /** When each kill was sent (ms since the epoch), for putting beside Zoom's token requests. */
  readonly kills: { readonly pod: string; readonly at: number }[] = [];
  readonly #tenant: ServiceTenant;
  #started = 0;

  private constructor(tenant: ServiceTenant, count: number) {
    this.#tenant = tenant;
    this.replicas = Array.from({ length: count }, () => undefined);
  }

  static async start(tenant: ServiceTenant, count: number): Promise<ServiceFleet> {
    const fleet = new ServiceFleet(tenant, count);
    for (let i = 0; i < count; i++) await fleet.restart(i);
    return fleet;
  }

  /** The replicas that are up now (the balancer's endpoints). */
  urls(): string[] {
    return this.replicas.flatMap((r) => (r ? [r.apiUrl] : []));
  }

  /** SIGKILLs replica `i` (if up) and starts a new process in its place, as the kubelet would. */
  async restart(i: number): Promise<void> {
    const old = this.replicas[i];
    if (old) {
      this.killedPids.add(old.pid);
      this.kills.push({ pod: old.podName, at: Date.now() });
      this.replicas[i] = undefined;
      await old.kill();
    }
    const fresh = await startServiceProcess(this.#tenant, `svc-${this.#started++}`, {
      NODE_OPTIONS: SERVICE_NODE_OPTIONS,
      LOG_LEVEL: "info",
    });
    this.every.push(fresh);
    this.replicas[i] = fresh;
  }

  /** Stops every process this fleet started (a replica restarted while a failed test ended included). */
  async stop(): Promise<void> {
    await Promise.all(this.every.map((r) => r.stop()));
  }

  logs(): string {
    return this.every.map((r) => `--- ${r.podName}\n${r.lines.slice(-20).join("\n")}`).join("\n");
  }
}

/** Connects ORG through the first replica (the admin's consent at the emulator). */
export async function connectOrg(fleet: ServiceFleet, zoom: ZoomEmulator, tenant: ServiceTenant): Promise<void> {
  const r = fleet.replicas[0]!;
  const svc = { publicUrl: r.publicUrl, apiUrl: r.apiUrl } as RunningService;
  const flow = await startBrowserFlow(svc, zoom, tenant.apiToken, ORG);
  const back = await visit(svc, flow.redirect, flow.cookie);
  if (!back.location.includes("zoom=connected")) throw new Error(`consent failed: ${back.location}`);
}

export interface Tally {
  /** Failed attempts by `status code` (or `network`). */
  readonly failures: Map<string, number>;
  /** Answers that break the contract: a 500, a 503 without Retry-After. */
  readonly violations: string[];
  /** Operations the client saw succeed. */
  readonly created: Map<string, string>;
  readonly deleted: Set<string>;
  ops: number;
  /** Operations given up because the load was stopped while they were still being retried. */
  abandoned: number;
  /** Set to stop: operations still retrying are abandoned at their next failure. */
  stopped: boolean;
  /** The longest any one operation took until it succeeded (retries included), in seconds. */
  longestOpS: number;
}

export const newTally = (): Tally => ({
  failures: new Map(),
  violations: [],
  created: new Map(),
  deleted: new Set(),
  ops: 0,
  abandoned: 0,
  stopped: false,
  longestOpS: 0,
});

class Abandoned extends Error {}

const RETRYABLE = new Set([409, 429, 500, 502, 503, 504]);

/** One operation, tried until it succeeds on some replica; `once` is one attempt against `base`. */
async function untilDone(
  tally: Tally,
  urls: () => string[],
  once: (base: string) => Promise<Response>,
  ok: (status: number) => boolean,
): Promise<Response> {
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 && tally.stopped) throw new Abandoned();
    const up = urls();
    const base = up[Math.floor(Math.random() * up.length)];
    if (!base) {
      await sleep(200);
      continue;
    }
    let res: Response;
    try {
      res = await once(base);
    } catch {
      bump(tally.failures, "network"); // a replica killed under the request, or not up yet
      await sleep(100);
      continue;
    }
    if (ok(res.status)) {
      tally.longestOpS = Math.max(tally.longestOpS, Math.round((performance.now() - t0) / 100) / 10);
      return res;
    }
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    bump(tally.failures, `${res.status} ${body.code ?? ""}`.trim());
    const retryAfter = res.headers.get("retry-after");
    if (res.status === 500) tally.violations.push(`500 ${body.code ?? ""}`);
    if (res.status === 503 && !retryAfter) tally.violations.push(`503 ${body.code ?? ""} without Retry-After`);
    if (!RETRYABLE.has(res.status) || attempt > 200) throw new Error(`gave up: ${res.status} ${JSON.stringify(body)}`);
    // NB: honour Retry-After, capped so a test does not sleep through a daily limit
    await sleep(Math.min(2000, Number(retryAfter ?? 0) * 1000 || 200));
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export interface BookingClient {
  create(key: string, index: number): Promise<string>;
  move(key: string): Promise<void>;
  cancel(key: string): Promise<void>;
}

export function bookingClient(tenant: ServiceTenant, tally: Tally, urls: () => string[]): BookingClient {
  const headers = { authorization: `Bearer ${tenant.apiToken}`, "content-type": "application/json" };
  const call = (base: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...extra },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  return {
    async create(key, index) {
      const start = new Date(Date.UTC(2027, 0, 4, 8) + index * 30 * 60_000).toISOString().slice(0, 16);
      const body = { organizationId: ORG, bookingId: key, topic: `chaos ${key}`, startLocal: start, timeZone: "UTC", durationMinutes: 30 };
      const res = await untilDone(
        tally,
        urls,
        (b) => call(b, "POST", "/v1/meetings", body, { "idempotency-key": key }),
        (s) => s < 300,
      );
      const { id } = (await res.json()) as { id: string };
      tally.created.set(key, id);
      tally.ops++;
      return id;
    },
    async move(key) {
      const id = tally.created.get(key)!;
      const body = { organizationId: ORG, topic: `chaos ${key} moved` };
      await untilDone(
        tally,
        urls,
        (b) => call(b, "PATCH", `/v1/meetings/${id}`, body),
        (s) => s < 300,
      );
      tally.ops++;
    },
    async cancel(key) {
      const id = tally.created.get(key)!;
      await untilDone(
        tally,
        urls,
        (b) => call(b, "DELETE", `/v1/meetings/${id}?organizationId=${ORG}`),
        (s) => s < 300,
      );
      tally.deleted.add(key);
      tally.ops++;
    },
  };
}

/** Duplicates (a booking with more than one live meeting) and losses (a create seen to succeed, not cancelled, absent at Zoom). */
export function compareWithZoom(zoom: ZoomEmulator, tally: Tally): { duplicates: string[]; lost: string[]; resurrected: string[] } {
  const live = zoom.inspect().meetings.filter((m) => !m.deleted);
  const byKey = new Map<string, string[]>();
  for (const m of live) {
    const key = /^chaos (\S+)/.exec(m.topic)?.[1];
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), m.id]);
  }
  const duplicates = [...byKey].filter(([, ids]) => ids.length > 1).map(([k, ids]) => `${k}: ${ids.join(",")}`);
  const lost = [...tally.created].filter(([k, id]) => !tally.deleted.has(k) && !byKey.get(k)?.includes(id)).map(([k]) => k);
  const resurrected = [...tally.deleted].filter((k) => byKey.has(k));
  return { duplicates, lost, resurrected };
}

/** Runs `ops` operations: every key is created, half are moved, a quarter cancelled; `concurrency` at a time. */
export async function runBookings(client: BookingClient, tally: Tally, ops: number, concurrency: number, prefix: string): Promise<void> {
  const keys = Math.max(1, Math.round(ops / 1.75));
  let next = 0;
  const worker = async () => {
    while (next < keys && !tally.stopped) {
      const i = next++;
      const key = `${prefix}-${i}`;
      try {
        await client.create(key, i);
        if (i % 2 === 0) await client.move(key);
        if (i % 4 === 1) await client.cancel(key);
      } catch (error) {
        if (!(error instanceof Abandoned)) throw error;
        tally.abandoned++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

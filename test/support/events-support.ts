// Calls of the events API and the Zoom webhook for the event tests.
import { WEBHOOK_PATH } from "../../common/tenant/names.ts";
import type { ServiceProcess } from "./service-process.ts";
import type { ServiceTenant } from "./service-tenant.ts";

/** Short lock, timeout, poll and backoff, so takeovers and retries happen within a test. */
export const FAST_EVENTS = {
  EVENTS_LOCK_TTL_SECONDS: "3",
  EVENTS_DELIVERY_TIMEOUT_SECONDS: "1",
  EVENTS_POLL_MS: "100",
  EVENTS_MAX_BACKOFF_SECONDS: "1",
};

export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

export async function apiCall(tenant: ServiceTenant, base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.apiToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // NB: a non-JSON answer stays in `text` for the assertion that reads it
  }
  return { status: res.status, json, text };
}

export const endpointPath = (org: string) => `/v1/organizations/${org}/zoom/events/endpoint`;

/** Where the emulator sends Zoom's webhooks to reach one replica. */
export const webhookTarget = (r: ServiceProcess) => ({ url: `${r.publicUrl}${WEBHOOK_PATH}` });

/** Every event of the pull API for an organization, following the cursor page by page. */
export async function pullAll(tenant: ServiceTenant, base: string, org: string, limit = 2) {
  const events: { id: string; type: string; sequence: string; data: Record<string, unknown> }[] = [];
  let after: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ organizationId: org, limit: String(limit), ...(after ? { after } : {}) });
    const answer = await apiCall(tenant, base, "GET", `/v1/events?${query}`);
    if (answer.status !== 200) throw new Error(`pull answered ${answer.status}: ${answer.text}`);
    const got = answer.json["events"] as typeof events;
    events.push(...got);
    const next = answer.json["next"] as string;
    if (got.length === 0) return { events, next };
    after = next;
  }
  throw new Error("the cursor never reached the end");
}

export async function createMeeting(tenant: ServiceTenant, base: string, org: string, bookingId: string): Promise<string> {
  const body = {
    organizationId: org,
    bookingId,
    topic: "Consultation",
    startLocal: "2030-03-01T10:00",
    timeZone: "Europe/Berlin",
    durationMinutes: 30,
  };
  const answer = await apiCall(tenant, base, "POST", "/v1/meetings", body);
  if (answer.status !== 201) throw new Error(`create answered ${answer.status}: ${answer.text}`);
  return answer.json["id"] as string;
}

/** The value of one metric (summed over its series) on a replica. */
export async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

import { createHmac, randomBytes } from "node:crypto";
import type { Clock } from "./clock.ts";
import type { Store } from "./store.ts";

/** Zoom's signature: `v0=` + hex HMAC-SHA256(secretToken, `v0:{timestamp}:{raw body}`). */
export function signWebhook(secretToken: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secretToken).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** What a webhook endpoint must answer to `endpoint.url_validation`. */
export function encryptedToken(secretToken: string, plainToken: string): string {
  return createHmac("sha256", secretToken).update(plainToken).digest("hex");
}

export interface Delivery {
  readonly event: string;
  readonly url: string;
  readonly attempt: number;
  readonly at: number;
  /** HTTP status, or "timeout" (no answer within 3 s) / "error" (connection failed). */
  readonly status: number | "timeout" | "error";
  readonly responseBody: string;
  /** Zoom accepts 200 and 204 only. */
  readonly acknowledged: boolean;
}

export interface UrlValidationResult extends Delivery {
  /** The answer carried the right plainToken and encryptedToken. */
  readonly validated: boolean;
}

export interface WebhookTarget {
  /** Default: the app's configured eventUrl. */
  readonly url?: string;
  /** Sign with this instead of the app's Secret Token (to test that the receiver rejects it). */
  readonly secretToken?: string;
  /** Sign with this `x-zm-request-timestamp` (ms) instead of now (to test the 5-minute window). */
  readonly signedAt?: number;
}

interface Pending {
  readonly url: string;
  readonly secretToken: string;
  readonly signedAt?: number | undefined;
  readonly event: Record<string, unknown>;
  /** The exact body, when it is not JSON.stringify(event) (raw int64 ids, see meeting-webhooks.ts). */
  readonly body?: string | undefined;
  readonly firstAt: number;
  readonly attempt: number;
}

/** Retries 5, 20 and 60 minutes after the first attempt (ZOOM.md), on the emulator clock. */
const RETRY_AFTER_MS = [5 * 60_000, 20 * 60_000, 60 * 60_000];
/** Zoom validates an endpoint again every 72 hours. */
const REVALIDATE_AFTER_MS = 72 * 3_600_000;

export class Webhooks {
  readonly deliveries: Delivery[] = [];
  readonly #pending: Pending[] = [];
  readonly #inflight = new Set<Promise<unknown>>();
  /** Endpoints validated so far -> when, for the 72-hour re-validation. */
  readonly #validated = new Map<string, { clientId: string; at: number }>();
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(store: Store, clock: Clock, timeoutMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  async sendUrlValidation(clientId: string, target: WebhookTarget & { plainToken?: string } = {}): Promise<UrlValidationResult> {
    const plainToken = target.plainToken ?? randomBytes(16).toString("base64url");
    const event = { payload: { plainToken }, event_ts: this.#clock.now(), event: "endpoint.url_validation" };
    const destination = this.#destination(clientId, target);
    this.#validated.set(destination.url, { clientId, at: this.#clock.now() });
    const delivery = await this.#track(this.#deliver({ ...destination, event, firstAt: this.#clock.now(), attempt: 1 }));
    return { ...delivery, validated: validationAnswered(delivery.responseBody, plainToken, this.#appSecretToken(clientId)) };
  }

  sendDeauthorized(clientId: string, who: { accountId: string; userId: string }, target: WebhookTarget = {}): Promise<Delivery> {
    const now = this.#clock.now();
    const payload = {
      account_id: who.accountId,
      user_id: who.userId,
      client_id: clientId,
      deauthorization_time: new Date(now).toISOString(),
      user_data_retention: "false",
    };
    const destination = this.#destination(clientId, target);
    return this.#track(
      this.#deliver({ ...destination, event: { event: "app_deauthorized", event_ts: now, payload }, firstAt: now, attempt: 1 }),
    );
  }

  /**
   * Delivers an event whose body is already written (`eventName` is its `event`), signed and retried
   * like any other. meeting-webhooks.ts writes meeting events this way: their ids are raw JSON numbers.
   */
  sendBody(clientId: string, eventName: string, body: string, target: WebhookTarget = {}): Promise<Delivery> {
    const destination = this.#destination(clientId, target);
    const event = { event: eventName };
    return this.#track(this.#deliver({ ...destination, event, body, firstAt: this.#clock.now(), attempt: 1 }));
  }

  /**
   * Delivers what is due on the emulator clock (call after `clock.advance`): retries of
   * unacknowledged events, and a new `endpoint.url_validation` 72 hours after the last one.
   */
  async runDue(): Promise<Delivery[]> {
    const now = this.#clock.now();
    const revalidations = [...this.#validated]
      .filter(([, last]) => last.at + REVALIDATE_AFTER_MS <= now)
      .map(([url, last]) => this.sendUrlValidation(last.clientId, { url }));
    const due = this.#pending.filter((p) => p.firstAt + (RETRY_AFTER_MS[p.attempt - 2] ?? 0) <= now);
    for (const p of due) this.#pending.splice(this.#pending.indexOf(p), 1);
    return Promise.all([...revalidations, ...due.map((p) => this.#track(this.#deliver(p)))]);
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  #destination(clientId: string, target: WebhookTarget): Pick<Pending, "url" | "secretToken" | "signedAt"> {
    const url = target.url ?? this.#store.apps.get(clientId)?.eventUrl;
    if (!url) throw new Error(`app ${clientId} has no eventUrl and no url was given`);
    return { url, secretToken: target.secretToken ?? this.#appSecretToken(clientId), signedAt: target.signedAt };
  }

  #appSecretToken(clientId: string): string {
    const app = this.#store.apps.get(clientId);
    if (!app) throw new Error(`no app ${clientId}`);
    return app.secretToken;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise);
    return promise.finally(() => this.#inflight.delete(promise));
  }

  async #deliver(pending: Pending): Promise<Delivery> {
    const body = pending.body ?? JSON.stringify(pending.event);
    // NB: the header is in seconds while event_ts is in milliseconds, as Zoom sends them.
    const timestamp = String(Math.floor((pending.signedAt ?? this.#clock.now()) / 1000));
    const headers = {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Zoom Marketplace/1.0a",
      "x-zm-request-timestamp": timestamp,
      "x-zm-signature": signWebhook(pending.secretToken, timestamp, body),
    };
    const answer = await post(pending.url, headers, body, this.#timeoutMs);
    const acknowledged = answer.status === 200 || answer.status === 204;
    const delivery = {
      event: String(pending.event.event),
      url: pending.url,
      attempt: pending.attempt,
      at: this.#clock.now(),
      ...answer,
      acknowledged,
    };
    this.deliveries.push(delivery);
    if (!acknowledged && pending.attempt <= RETRY_AFTER_MS.length) this.#pending.push({ ...pending, attempt: pending.attempt + 1 });
    return delivery;
  }
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: Delivery["status"]; responseBody: string }> {
  try {
    const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, responseBody: await response.text() };
  } catch (error) {
    // NB: a failed delivery is an outcome to record (and retry), not an emulator error.
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { status: timedOut ? "timeout" : "error", responseBody: "" };
  }
}

function validationAnswered(body: string, plainToken: string, secretToken: string): boolean {
  try {
    const answer = JSON.parse(body) as { plainToken?: unknown; encryptedToken?: unknown };
    return answer.plainToken === plainToken && answer.encryptedToken === encryptedToken(secretToken, plainToken);
  } catch {
    // NB: a non-JSON answer simply fails validation.
    return false;
  }
}

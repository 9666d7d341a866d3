// Zoom's own verdict on a tenant's Client ID and Secret, asked without side effects: a token request
// with a code that cannot exist. Zoom authenticates the client first, so `invalid_client` means the
// credentials are wrong (or the app was deleted or disabled) and any other OAuth error (invalid_grant,
// invalid_request for the unknown code) means they were accepted. No code is spent, no grant touched.
// Asked in the background, at most once per Secret content (a hash) and never more often than
// `minIntervalMs` per tenant: a reconcile never waits on Zoom, it reads the last verdict.
import { type Dispatcher, request } from "undici";
import { backoffDelay } from "../../common/retry.ts";

export type ZoomVerdict =
  | { readonly state: "accepted" }
  | { readonly state: "rejected"; readonly detail: string }
  /**
   * Not asked yet, in flight, or Zoom could not be reached (then retried with backoff).
   * `credentialsChanged`: this process saw a verdict on other credentials for the tenant, so
   * whatever the status said before is about those (after a restart nothing says so).
   */
  | { readonly state: "unknown"; readonly credentialsChanged?: boolean };

export interface VerdictRequest {
  readonly oauthBaseUrl: string;
  readonly redirectUri: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Hash of the credentials: a new value asks Zoom again. */
  readonly checksum: string;
}

export interface VerdictOptions {
  /** Called when a verdict arrived (or a retry is due): reconcile this key again. */
  readonly enqueue: (key: string) => void;
  /** At most one request per tenant in this window. Default 10 s. */
  readonly minIntervalMs?: number;
  /**
   * Requests to Zoom in flight at once, over all tenants; the others wait their turn. Default 8.
   * NB: a thousand tenants at start (or Zoom unreachable, each connection hanging in DNS or connect)
   * must not mean a thousand open connections.
   */
  readonly maxInFlight?: number;
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

interface Entry {
  checksum: string;
  verdict: ZoomVerdict;
  startedAt: number;
  inFlight: boolean;
  failures: number;
  retryAt: number;
}

/** A code no token endpoint ever issued; it carries no secret. */
const IMPOSSIBLE_CODE = "zoom-integration-operator-credentials-check";
const UNKNOWN: ZoomVerdict = { state: "unknown" };
const CHANGED: ZoomVerdict = { state: "unknown", credentialsChanged: true };

export class CredentialsVerdicts {
  private readonly entries = new Map<string, Entry>();
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly options: VerdictOptions;
  private readonly maxInFlight: number;
  private running = 0;
  /** Asks waiting for one in flight to end, first come first served. */
  private readonly waiting: (() => void)[] = [];

  constructor(options: VerdictOptions) {
    this.options = options;
    this.minIntervalMs = options.minIntervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.maxInFlight = options.maxInFlight ?? 8;
  }

  /** The verdict on these credentials; starts (or schedules) asking Zoom when there is none. */
  verdict(key: string, req: VerdictRequest): ZoomVerdict {
    const entry = this.entries.get(key);
    if (entry?.checksum === req.checksum && (entry.verdict.state !== "unknown" || entry.inFlight || this.now() < entry.retryAt)) {
      return entry.verdict;
    }
    const wait = entry ? entry.startedAt + this.minIntervalMs - this.now() : 0;
    if (entry?.inFlight || wait > 0) {
      // NB: rate-limited: come back when the window is over instead of asking now.
      this.later(key, Math.max(wait, 1000));
      if (!entry) return UNKNOWN;
      return entry.checksum === req.checksum ? entry.verdict : CHANGED;
    }
    const next: Entry = {
      checksum: req.checksum,
      verdict: entry && entry.checksum !== req.checksum ? CHANGED : UNKNOWN,
      startedAt: this.now(),
      inFlight: true,
      failures: entry?.failures ?? 0,
      retryAt: 0,
    };
    this.entries.set(key, next);
    void this.ask(key, next, req);
    return next.verdict;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Requests to Zoom in flight now (at most maxInFlight). */
  get inFlight(): number {
    return this.running;
  }

  private async ask(key: string, entry: Entry, req: VerdictRequest): Promise<void> {
    await this.turn();
    let verdict: ZoomVerdict | undefined;
    try {
      // NB: forgotten while waiting for its turn: no request.
      verdict = this.entries.get(key) === entry ? await probe(req, this.options.timeoutMs ?? 5000, this.options.dispatcher) : undefined;
    } finally {
      this.done();
    }
    entry.inFlight = false;
    if (this.entries.get(key) !== entry) return; // forgotten meanwhile
    entry.verdict = verdict ?? entry.verdict; // NB: no answer: still unknown, and still changed if it was
    if (verdict) {
      entry.failures = 0;
    } else {
      entry.failures += 1;
      const delay = backoffDelay(entry.failures, { baseMs: 30_000, maxMs: 30 * 60_000 });
      entry.retryAt = this.now() + delay;
      this.later(key, delay);
    }
    this.options.enqueue(key);
  }

  private async turn(): Promise<void> {
    if (this.running < this.maxInFlight) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** NB: the place is handed to the next waiting ask as is (running unchanged), so none can jump the queue. */
  private done(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private later(key: string, ms: number): void {
    setTimeout(() => this.options.enqueue(key), ms).unref();
  }
}

/** One token request with an impossible code; undefined when Zoom gave no usable answer. */
export async function probe(req: VerdictRequest, timeoutMs: number, dispatcher?: Dispatcher): Promise<ZoomVerdict | undefined> {
  const body = new URLSearchParams({ grant_type: "authorization_code", code: IMPOSSIBLE_CODE, redirect_uri: req.redirectUri });
  try {
    const res = await request(new URL("/oauth/token", req.oauthBaseUrl), {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${req.clientId}:${req.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await res.body.text();
    return interpret(res.statusCode, text);
  } catch {
    return undefined; // unreachable: retried later; the message never carries the request
  }
}

/** Pure: Zoom's answer to the impossible-code request as a verdict. */
export function interpret(status: number, body: string): ZoomVerdict | undefined {
  if (status === 429 || status >= 500) return undefined;
  let parsed: { error?: unknown; reason?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return undefined; // an HTML page (a wrong base URL): no verdict either way
  }
  if (parsed.error === "invalid_client" || status === 401) {
    const reason = typeof parsed.reason === "string" ? parsed.reason.slice(0, 200) : "";
    return { state: "rejected", detail: `invalid_client${reason ? `: ${reason}` : ""}` };
  }
  if (typeof parsed.error === "string") return { state: "accepted" };
  return undefined;
}

import type { Logger } from "pino";
import { type Dispatcher, Pool } from "undici";
import { retry } from "../../common/retry.ts";
import type { AccessGrant, AccessTokens } from "../tokens/access-tokens.ts";
import {
  badResponse,
  freshTokenRefused,
  isInvalidToken,
  isPerSecondLimit,
  networkError,
  type UpstreamAnswer,
  upstreamError,
} from "./zoom-errors.ts";
import { parseZoomJson } from "./zoom-json.ts";

/**
 * Zoom's REST API over undici: one keep-alive Pool per regional api_url, timeouts on every phase,
 * one token refresh after a 124, and jittered backoff only where repeating cannot double an effect.
 */

export interface ZoomTimeouts {
  /** Default 5 s. */
  readonly connectMs: number;
  /** Until the status line and headers arrive. Default 10 s. */
  readonly headersMs: number;
  /** Between body chunks. Default 10 s. */
  readonly bodyMs: number;
  /** The whole call, retries included: no retry starts after it. Default 20 s. */
  readonly totalMs: number;
}

export interface RetryPolicy {
  /** Attempts in total (first one included). Default 3. */
  readonly attempts: number;
  /** Backoff base, doubled per attempt, jittered to 50-100 %. Default 200 ms. */
  readonly baseDelayMs: number;
  /** Default 2 s. */
  readonly maxDelayMs: number;
}

/**
 * `idempotent`: GET, PATCH (same body, same result) and DELETE (a repeat answers 3001 = gone):
 * retried on per-second 429s, 5xx and network failures. `create`: retried only where Zoom
 * provably did nothing (a per-second 429, a refused connection); anything else is the
 * idempotent-create protocol's decision (see meetings/idempotent-create.ts).
 */
export type RetryMode = "idempotent" | "create";

export interface ZoomRequest {
  readonly organizationId: string;
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Below /v2, already encoded: `/meetings/123`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly retry: RetryMode;
  /** No attempt is sent after this instant (ms): throws SendWindowClosed instead (nothing was sent). */
  readonly sendBefore?: number;
}

/**
 * A request whose `sendBefore` had passed: this attempt was not sent. The idempotent create uses it
 * so that no create reaches Zoom after its claim's lease could have been taken over by another replica.
 */
export class SendWindowClosed extends Error {
  constructor() {
    super("the request's send window had closed; it was not sent");
    this.name = "SendWindowClosed";
  }
}

export interface ZoomResult {
  readonly status: number;
  /** Parsed with int64-safe ids (see zoom-json.ts); undefined for 204 / empty bodies. */
  readonly json: unknown;
}

export interface ZoomApiOptions {
  readonly tokens: AccessTokens;
  /** Used for every origin when given (tests, a shared Agent); default: a Pool per api_url. */
  readonly dispatcher?: Dispatcher;
  readonly timeouts?: Partial<ZoomTimeouts>;
  readonly retry?: Partial<RetryPolicy>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Pick<Logger, "warn" | "debug">;
}

const DEFAULT_TIMEOUTS: ZoomTimeouts = { connectMs: 5_000, headersMs: 10_000, bodyMs: 10_000, totalMs: 20_000 };
const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };
/** Network failures where the request never left this process. */
const NOT_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN"]);

export class ZoomApi {
  readonly #options: ZoomApiOptions;
  readonly #timeouts: ZoomTimeouts;
  readonly #retry: RetryPolicy;
  readonly #pools = new Map<string, Dispatcher>();
  readonly #now: () => number;

  constructor(options: ZoomApiOptions) {
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#now = options.now ?? Date.now;
  }

  /** Throws ServiceError for every non-2xx answer (see zoom-errors.ts) and unreadable 2xx bodies. */
  async call(request: ZoomRequest): Promise<ZoomResult> {
    const { tokens } = this.#options;
    let grant = await tokens.get(request.organizationId);
    let answer = await this.#withRetries(grant, request);
    if (isInvalidToken(answer)) {
      // NB: once. A dead grant fails the refresh itself (REAUTHORIZATION_REQUIRED from there).
      grant = await tokens.refreshAfterRejection(request.organizationId, grant.accessToken);
      answer = await this.#withRetries(grant, request);
      if (isInvalidToken(answer)) throw freshTokenRefused(answer.status);
    }
    if (answer.status < 200 || answer.status >= 300) throw upstreamError(answer, this.#now());
    if (answer.status === 204 || answer.text === "") return { status: answer.status, json: undefined };
    const parsed = parseZoomJson(answer.text);
    if (!parsed.ok) throw badResponse(answer.status, parsed.reason);
    return { status: answer.status, json: parsed.value };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }

  async #withRetries(grant: AccessGrant, request: ZoomRequest): Promise<UpstreamAnswer> {
    const idempotent = request.retry === "idempotent";
    try {
      return await retry(() => this.#send(grant, request), {
        attempts: this.#retry.attempts,
        deadline: this.#now() + this.#timeouts.totalMs,
        baseMs: this.#retry.baseDelayMs,
        maxMs: this.#retry.maxDelayMs,
        retryable: (error) => !(error instanceof SendWindowClosed) && (idempotent || NOT_SENT.has(errorCode(error) ?? "")),
        retryResult: (answer) => isPerSecondLimit(answer) || (idempotent && answer.status >= 500),
        onRetry: (why, attempt, delayMs) => {
          const cause = why.value ? { status: why.value.status } : { error: errorCode(why.error) };
          this.#options.logger?.warn({ method: request.method, attempt, delayMs, ...cause }, "zoom call retried");
        },
        now: this.#now,
        random: this.#options.random,
        sleep: this.#options.sleep,
      });
    } catch (error) {
      if (error instanceof SendWindowClosed) throw error;
      throw networkError(error);
    }
  }

  async #send(grant: AccessGrant, request: ZoomRequest): Promise<UpstreamAnswer> {
    if (request.sendBefore !== undefined && this.#now() > request.sendBefore) throw new SendWindowClosed();
    const base = new URL(grant.apiUrl);
    const query = new URLSearchParams(Object.entries(request.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
    const path = `${base.pathname.replace(/\/$/, "")}/v2${request.path}${query.size > 0 ? `?${query}` : ""}`;
    const headers: Record<string, string> = { authorization: `Bearer ${grant.accessToken}`, accept: "application/json" };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    const response = await this.#dispatcher(base.origin).request({
      origin: base.origin,
      path,
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      headersTimeout: this.#timeouts.headersMs,
      bodyTimeout: this.#timeouts.bodyMs,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  }

  #dispatcher(origin: string): Dispatcher {
    if (this.#options.dispatcher) return this.#options.dispatcher;
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: 32,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 60_000,
        connectTimeout: this.#timeouts.connectMs,
        headersTimeout: this.#timeouts.headersMs,
        bodyTimeout: this.#timeouts.bodyMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

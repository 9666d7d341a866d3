import { htmlReply, jsonReply, type Reply } from "./http-core.ts";
import { DAILY_LIMIT_MESSAGE, PER_SECOND_MESSAGE } from "./rate-limits.ts";

/**
 * Scriptable faults, per route key (`"POST /oauth/token"`, `"GET /v2/meetings/{meetingId}"`) or
 * `"*"` for every route. Each injected fault applies to the next `times` requests (default: all),
 * in injection order, so a test can script "first a 503, then a reset, then normal".
 */
export type Fault =
  /**
   * Wait (real time, keep it to a few ms in unit tests), then answer normally. `abandonIfClosed`: a
   * request whose client closed the connection during the wait is never handled (Zoom had not read
   * it yet) and is recorded as `abandoned` in `inspect().tokenRequests`.
   */
  | { readonly kind: "latency"; readonly ms: number; readonly abandonIfClosed?: boolean }
  /** Answer with this status instead of handling; default body is Zoom's JSON error shape. */
  | { readonly kind: "status"; readonly status: number; readonly body?: string }
  /** A 429 as Zoom sends it; `retryAfter: null` omits the header, as Zoom sometimes does. */
  | { readonly kind: "rateLimit"; readonly type?: "QPS" | "Daily-limit"; readonly retryAfter?: string | null }
  /** A body that is not JSON (HTML by default, or "" for "Unexpected end of JSON input"). */
  | { readonly kind: "nonJson"; readonly status?: number; readonly body?: string; readonly contentType?: string }
  /** The connection is reset before the request is handled: nothing happened. */
  | { readonly kind: "reset" }
  /** The request is handled (a refresh rotates!), then the connection is reset: the answer is lost. */
  | { readonly kind: "dropResponse" }
  /** The request is never answered; the socket stays open until the client gives up or close(). */
  | { readonly kind: "noAnswer" };

export interface FaultScript {
  /** How many requests it applies to; default every request until cleared. */
  readonly times?: number;
}

interface Scripted {
  readonly fault: Fault;
  remaining: number;
}

export class FaultPlan {
  readonly #byRoute = new Map<string, Scripted[]>();

  inject(route: string, fault: Fault, script: FaultScript = {}): void {
    const list = this.#byRoute.get(route) ?? [];
    list.push({ fault, remaining: script.times ?? Number.POSITIVE_INFINITY });
    this.#byRoute.set(route, list);
  }

  /** Removes the faults of one route, or all of them. */
  clear(route?: string): void {
    if (route === undefined) this.#byRoute.clear();
    else this.#byRoute.delete(route);
  }

  /** The fault for this request, consumed; route-specific faults come before `"*"`. */
  take(route: string): Fault | undefined {
    if (this.#byRoute.size === 0) return undefined;
    return takeFrom(this.#byRoute.get(route)) ?? takeFrom(this.#byRoute.get("*"));
  }
}

function takeFrom(list: Scripted[] | undefined): Fault | undefined {
  const head = list?.[0];
  if (!list || !head) return undefined;
  head.remaining -= 1;
  if (head.remaining <= 0) list.shift();
  return head.fault;
}

/** The reply a replacing fault answers with; undefined for faults that are not a reply. */
export function faultReply(fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case "status":
      return fault.body === undefined
        ? jsonReply(fault.status, { code: fault.status, message: "Internal Error." })
        : { status: fault.status, headers: { "content-type": "application/json;charset=UTF-8" }, body: fault.body };
    case "rateLimit":
      return rateLimitReply(fault.type ?? "QPS", fault.retryAfter);
    case "nonJson":
      return fault.body === undefined && fault.contentType === undefined
        ? htmlReply(fault.status ?? 502, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>")
        : { status: fault.status ?? 502, headers: { "content-type": fault.contentType ?? "text/html" }, body: fault.body ?? "" };
    default:
      return undefined;
  }
}

function rateLimitReply(type: "QPS" | "Daily-limit", retryAfter: string | null | undefined): Reply {
  const daily = type === "Daily-limit";
  const headers: Record<string, string> = {
    "x-ratelimit-category": daily ? "Medium" : "Light",
    "x-ratelimit-type": type,
    "x-ratelimit-limit": daily ? "100" : "30",
    "x-ratelimit-remaining": "0",
  };
  if (retryAfter !== null) headers["retry-after"] = retryAfter ?? "1";
  return jsonReply(429, { code: 429, message: daily ? DAILY_LIMIT_MESSAGE : PER_SECOND_MESSAGE }, headers);
}

// Faults at a rate instead of by script: each request (of the chosen routes) meets a fault with
// probability `rate`, drawn from a weighted mix. Scripted faults (FaultPlan.inject) still come
// first. For chaos tests: `startZoomEmulator({ faultPlan: new RandomFaultPlan({ rate: 0.1 }) })`.
import { type Fault, FaultPlan } from "./faults.ts";

export interface RandomFaultOptions {
  /** Share of requests that meet a fault, 0..1; change it later with `rate`. */
  readonly rate: number;
  /** Weighted faults; default CHAOS_MIX. */
  readonly mix?: readonly { readonly fault: Fault; readonly weight: number }[];
  /** Which route keys may fail (default: every route, the token endpoint included). */
  readonly routes?: (route: string) => boolean;
  /**
   * Routes whose requests may be handled and then lose their answer (dropResponse, latency past the
   * client's timeout); default every route. NB: exclude "POST /oauth/token" to keep grants alive: a
   * refresh answer lost after Zoom rotated the token loses the grant by Zoom's design (ZOOM.md).
   */
  readonly loseAnswers?: (route: string) => boolean;
  /** A random source in [0, 1) (seeded in tests that must repeat). */
  readonly random?: () => number;
}

/**
 * What a slow, overloaded Zoom does: 5xx, 429 with Retry-After, resets before handling, answers
 * lost after handling (a create that happened but whose response never arrived), and timeouts (an
 * answer after the client's 10 s headers timeout: handled, then lost to the client).
 */
export const CHAOS_MIX: readonly { fault: Fault; weight: number }[] = [
  { fault: { kind: "status", status: 500 }, weight: 4 },
  { fault: { kind: "status", status: 503 }, weight: 4 },
  { fault: { kind: "rateLimit", type: "QPS", retryAfter: "1" }, weight: 4 },
  { fault: { kind: "reset" }, weight: 3 },
  { fault: { kind: "dropResponse" }, weight: 4 },
  { fault: { kind: "latency", ms: 11_000 }, weight: 1 },
];

export class RandomFaultPlan extends FaultPlan {
  rate: number;
  readonly #mix: readonly { fault: Fault; weight: number }[];
  readonly #routes: (route: string) => boolean;
  readonly #random: () => number;
  readonly #loseAnswers: (route: string) => boolean;
  /** Faults injected so far, by kind (and status). */
  readonly injected = new Map<string, number>();

  constructor(options: RandomFaultOptions) {
    super();
    this.rate = options.rate;
    this.#mix = options.mix ?? CHAOS_MIX;
    this.#routes = options.routes ?? (() => true);
    this.#random = options.random ?? Math.random;
    this.#loseAnswers = options.loseAnswers ?? (() => true);
  }

  override take(route: string): Fault | undefined {
    const scripted = super.take(route);
    if (scripted || this.rate <= 0 || !this.#routes(route) || this.#random() >= this.rate) return scripted;
    const mix = this.#loseAnswers(route) ? this.#mix : this.#mix.filter((m) => !losesAnswer(m.fault));
    const total = mix.reduce((sum, m) => sum + m.weight, 0);
    let pick = this.#random() * total;
    let chosen = mix[0]!;
    for (const m of mix) {
      chosen = m;
      pick -= m.weight;
      if (pick < 0) break;
    }
    const label = chosen.fault.kind === "status" ? `status ${chosen.fault.status}` : chosen.fault.kind;
    this.injected.set(label, (this.injected.get(label) ?? 0) + 1);
    return chosen.fault;
  }
}

/** Faults after which the request was handled but its answer never reached the client. */
function losesAnswer(fault: Fault): boolean {
  return fault.kind === "dropResponse" || (fault.kind === "latency" && !fault.abandonIfClosed);
}

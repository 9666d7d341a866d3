// The two sealed values of the connect flow.
// - The start ticket: minted by the internal API for the booking app, carried in the URL the admin
//   opens (`/zoom-integration/start?ticket=..`); names the organization and the return path.
// - The OAuth `state`: minted by the start path, sent through Zoom and back to the callback; also
//   carries the PKCE verifier and a hash of the browser-binding cookie, so a callback is accepted
//   only in the browser that started the flow (login CSRF), only once, and only for 10 minutes.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { createPkce, type Pkce } from "./pkce.ts";
import { type StateKeys, seal, unseal } from "./sealed.ts";

/**
 * How long an admin has from the booking app's link to Zoom's redirect back. NB: also the longest
 * life of a sealed value, so the operator's STATE_KEY_OVERLAP_SECONDS must stay well above it.
 */
export const FLOW_TTL_MS = 10 * 60_000;

const Ticket = z.object({ org: z.string().min(1), returnPath: z.string().optional(), exp: z.number(), nonce: z.string() });
export type Ticket = z.infer<typeof Ticket>;

const State = Ticket.extend({ verifier: z.string().min(43), binding: z.string() });
export type FlowState = z.infer<typeof State>;

export type OpenFailure = "invalid_state" | "expired_state" | "browser_mismatch";
export type Opened<T> = { ok: T } | { failure: OpenFailure };

type Random = (n: number) => Buffer;

export function issueTicket(
  stateKey: string,
  input: { org: string; returnPath?: string | undefined },
  now: number,
  random: Random = randomBytes,
): { ticket: string; expiresAt: number } {
  const exp = now + FLOW_TTL_MS;
  const payload: Ticket = { org: input.org, returnPath: input.returnPath, exp, nonce: random(16).toString("base64url") };
  return { ticket: seal(stateKey, "start-ticket", payload, random), expiresAt: exp };
}

/** Values are sealed with the current state key only, and opened with any key still accepted. */
export function openTicket(keys: StateKeys, sealed: string, now: number): Opened<Ticket> {
  const parsed = Ticket.safeParse(unseal(keys, "start-ticket", sealed));
  if (!parsed.success) return { failure: "invalid_state" };
  return parsed.data.exp <= now ? { failure: "expired_state" } : { ok: parsed.data };
}

export interface IssuedState {
  readonly state: string;
  /** The browser-binding cookie's value (random; only its hash is inside the state). */
  readonly cookieValue: string;
  readonly pkce: Pkce;
  readonly nonce: string;
}

/** A fresh state for one visit of the start path; it expires with the ticket at the latest. */
export function issueState(stateKey: string, ticket: Ticket, now: number, random: Random = randomBytes): IssuedState {
  const pkce = createPkce(random);
  const cookieValue = random(32).toString("base64url");
  const nonce = random(16).toString("base64url");
  const payload: FlowState = {
    org: ticket.org,
    returnPath: ticket.returnPath,
    exp: Math.min(now + FLOW_TTL_MS, ticket.exp + FLOW_TTL_MS),
    nonce,
    verifier: pkce.verifier,
    binding: bindingOf(cookieValue),
  };
  return { state: seal(stateKey, "oauth-state", payload, random), cookieValue, pkce, nonce };
}

export function openState(keys: StateKeys, sealed: string, cookieValue: string | undefined, now: number): Opened<FlowState> {
  const parsed = State.safeParse(unseal(keys, "oauth-state", sealed));
  if (!parsed.success) return { failure: "invalid_state" };
  if (parsed.data.exp <= now) return { failure: "expired_state" };
  if (!cookieValue || !sameBinding(bindingOf(cookieValue), parsed.data.binding)) return { failure: "browser_mismatch" };
  return { ok: parsed.data };
}

function bindingOf(cookieValue: string): string {
  return createHash("sha256").update(cookieValue).digest("base64url");
}

function sameBinding(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A short, non-reversible id of a state's nonce: what is remembered to refuse a replayed state. */
export function nonceId(nonce: string): string {
  return createHash("sha256").update(nonce).digest("base64url").slice(0, 22);
}

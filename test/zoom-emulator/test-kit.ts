import { createHash } from "node:crypto";
import { startZoomEmulator, type ZoomEmulator, type ZoomEmulatorOptions } from "./index.ts";

/** Helpers for the emulator's own contract tests: a real HTTP client, nothing mocked. */

export const REDIRECT = "https://app.acme.example/organization/integration/zoom/redirect";
export const START = "2025-03-10T09:00:00Z";

export function startFrozen(options: ZoomEmulatorOptions = {}): Promise<ZoomEmulator> {
  return startZoomEmulator({ clock: { frozenAt: START }, ...options });
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: contract tests read whatever Zoom sends.
  readonly json: any;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // NB: non-JSON bodies are a behaviour under test; `json` stays undefined.
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function basic(clientId = "acme-client", secret = "acme-secret"): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`;
}

export async function tokenRequest(zoom: ZoomEmulator, form: Record<string, string>, auth = basic()): Promise<Answer> {
  const headers = { authorization: auth, "content-type": "application/x-www-form-urlencoded" };
  return answer(await fetch(`${zoom.url}/oauth/token`, { method: "POST", headers, body: new URLSearchParams(form) }));
}

export async function api(zoom: ZoomEmulator, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return answer(await fetch(`${zoom.url}/v2${path}`, { method, headers, body: payload }));
}

export async function get(url: string, init: RequestInit = {}): Promise<Answer> {
  return answer(await fetch(url, { redirect: "manual", ...init }));
}

export interface AuthorizeParams {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly state?: string | null;
  readonly verifier?: string;
  readonly method?: "S256" | "plain";
}

export function authorizeUrl(zoom: ZoomEmulator, params: AuthorizeParams = {}): string {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: params.clientId ?? "acme-client",
    redirect_uri: params.redirectUri ?? REDIRECT,
  });
  if (params.state !== null) query.set("state", params.state ?? "state-1");
  if (params.verifier !== undefined) {
    const method = params.method ?? "S256";
    query.set("code_challenge", method === "S256" ? createHash("sha256").update(params.verifier).digest("base64url") : params.verifier);
    query.set("code_challenge_method", method);
  }
  return `${zoom.url}/oauth/authorize?${query}`;
}

export function codeOf(redirectUrl: string): string {
  return new URL(redirectUrl).searchParams.get("code") ?? "";
}

export interface Tokens {
  readonly access: string;
  readonly refresh: string;
  readonly body: Answer["json"];
}

/** Consent as `login` and exchange the code: a connected grant, as the service would hold it. */
export async function connect(
  zoom: ZoomEmulator,
  login = "admin@acme.example",
  clientId = "acme-client",
  secret?: string,
): Promise<Tokens> {
  const app = zoom.seed.apps.find((a) => a.clientId === clientId);
  const redirectUri = app?.redirectUrl ?? REDIRECT;
  const code = codeOf(zoom.approve(authorizeUrl(zoom, { clientId, redirectUri }), login));
  const auth = basic(clientId, secret ?? app?.clientSecret ?? "");
  const reply = await tokenRequest(zoom, { grant_type: "authorization_code", code, redirect_uri: redirectUri }, auth);
  if (reply.status !== 200) throw new Error(`connect failed: ${reply.text}`);
  return { access: reply.json.access_token, refresh: reply.json.refresh_token, body: reply.json };
}

export async function refresh(zoom: ZoomEmulator, refreshToken: string, auth = basic()): Promise<Answer> {
  return tokenRequest(zoom, { grant_type: "refresh_token", refresh_token: refreshToken }, auth);
}

/** The raw digits of the `id` field: what a JSON.parse would silently round. */
export function rawId(text: string): string {
  return /"id":(\d+)/.exec(text)?.[1] ?? "";
}

/** A booking-style meeting; `default_password: true` because Zoom sets a passcode only when asked (issue 16). */
export const MEETING = {
  topic: "Consultation",
  type: 2,
  start_time: "2025-03-12T10:00:00Z",
  duration: 30,
  timezone: "UTC",
  default_password: true,
};

// Zoom's Marketplace API as provisioning uses it, with a Server-to-Server OAuth app's token:
// account_credentials grant, create a General app from a manifest, list the account's apps, replace
// an app's manifest, delete an app. Errors are one class with a closed set of kinds; messages quote
// Zoom's answer (code and message), never a token or a secret. 429 and 5xx are retried with backoff.
import { type Dispatcher, request } from "undici";
import { retry } from "../../common/retry.ts";
import type { ZoomAppManifest } from "../../common/tenant/manifest.ts";

export const MarketplaceErrorKind = {
  /** invalid_client on the S2S token request: wrong, deactivated or deleted S2S app. */
  Rejected: "Rejected",
  /** 4711: the S2S app lacks marketplace:write:app or marketplace:read:app. */
  Scopes: "Scopes",
  /** The app is not (or no longer) at Zoom. */
  Gone: "Gone",
  /** No answer, 429 or 5xx after the retries: try again later. */
  Unavailable: "Unavailable",
  /** Any other refusal (a manifest Zoom does not accept, a bad account id): fixed by a human. */
  Refused: "Refused",
} as const;
export type MarketplaceErrorKind = (typeof MarketplaceErrorKind)[keyof typeof MarketplaceErrorKind];

export class MarketplaceError extends Error {
  readonly kind: MarketplaceErrorKind;
  constructor(kind: MarketplaceErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "MarketplaceError";
    this.kind = kind;
  }
}

export interface ServerToServer {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface MarketplaceTarget {
  readonly oauthBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly dispatcher?: Dispatcher;
  readonly timeoutMs?: number;
}

export interface CreatedApp {
  readonly appId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly secretToken: string;
}

export interface AppContact {
  readonly companyName: string;
  readonly contactName: string;
  readonly contactEmail: string;
}

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

async function send(
  t: MarketplaceTarget,
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<Answer> {
  const timeoutMs = t.timeoutMs ?? 10_000;
  return retry(
    async () => {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          ...init,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(t.dispatcher ? { dispatcher: t.dispatcher } : {}),
        });
      } catch (error) {
        throw new MarketplaceError(MarketplaceErrorKind.Unavailable, `${init.method} ${url.pathname}: no answer from Zoom`, {
          cause: error,
        });
      }
      const text = await res.body.text();
      let json: Record<string, unknown> = {};
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        // NB: Zoom sometimes answers HTML; the status decides, the body is not quoted.
      }
      return { status: res.statusCode, json };
    },
    {
      attempts: 3,
      baseMs: 500,
      maxMs: 4000,
      retryable: (error) => error instanceof MarketplaceError && error.kind === MarketplaceErrorKind.Unavailable,
      retryResult: (a) => a.status === 429 || a.status >= 500,
    },
  );
}

/** Zoom's `{code, message}` (API) or `{error, reason}` (OAuth) as a sentence, capped. */
function zoomSays(a: Answer): string {
  const what = [a.json["code"] ?? a.json["error"], a.json["message"] ?? a.json["reason"]].filter((v) => v !== undefined).join(" ");
  return `HTTP ${a.status}${what ? ` (${String(what).slice(0, 300)})` : ""}`;
}

function fail(a: Answer, doing: string): never {
  if (a.status === 429 || a.status >= 500)
    throw new MarketplaceError(MarketplaceErrorKind.Unavailable, `${doing}: Zoom answered ${zoomSays(a)}`);
  if (a.json["code"] === 4711) throw new MarketplaceError(MarketplaceErrorKind.Scopes, `${doing}: Zoom answered ${zoomSays(a)}`);
  if (a.status === 404) throw new MarketplaceError(MarketplaceErrorKind.Gone, `${doing}: Zoom answered ${zoomSays(a)}`);
  if (a.status === 401) throw new MarketplaceError(MarketplaceErrorKind.Rejected, `${doing}: Zoom answered ${zoomSays(a)}`);
  throw new MarketplaceError(MarketplaceErrorKind.Refused, `${doing}: Zoom answered ${zoomSays(a)}`);
}

/** The S2S app's access token (account_credentials grant); with its expiry, for caching. */
export async function serverToServerToken(t: MarketplaceTarget, s2s: ServerToServer): Promise<{ token: string; expiresAt: number }> {
  const body = new URLSearchParams({ grant_type: "account_credentials", account_id: s2s.accountId }).toString();
  const authorization = `Basic ${Buffer.from(`${s2s.clientId}:${s2s.clientSecret}`).toString("base64")}`;
  const headers = { authorization, "content-type": "application/x-www-form-urlencoded" };
  const a = await send(t, new URL("/oauth/token", t.oauthBaseUrl), { method: "POST", headers, body });
  if (a.status === 200 && typeof a.json["access_token"] === "string") {
    const seconds = typeof a.json["expires_in"] === "number" ? a.json["expires_in"] : 3599;
    return { token: a.json["access_token"], expiresAt: Date.now() + seconds * 1000 };
  }
  if (a.json["error"] === "invalid_client") {
    throw new MarketplaceError(MarketplaceErrorKind.Rejected, `the Server-to-Server app's token request: Zoom answered ${zoomSays(a)}`);
  }
  fail(a, "the Server-to-Server app's token request");
}

const api = (t: MarketplaceTarget, path: string) => new URL(`/v2${path}`, t.apiBaseUrl);
const bearer = (token: string, json = false): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  ...(json ? { "content-type": "application/json" } : {}),
});

export async function createApp(
  t: MarketplaceTarget,
  token: string,
  appName: string,
  contact: AppContact,
  manifest: ZoomAppManifest,
): Promise<CreatedApp> {
  const body = JSON.stringify({
    app_name: appName,
    app_type: "general",
    company_name: contact.companyName,
    contact_name: contact.contactName,
    contact_email: contact.contactEmail,
    manifest,
  });
  const a = await send(t, api(t, "/marketplace/apps"), { method: "POST", headers: bearer(token, true), body });
  const j = a.json;
  if (a.status === 201 && [j["app_id"], j["client_id"], j["client_secret"], j["secret_token"]].every((v) => typeof v === "string")) {
    return {
      appId: String(j["app_id"]),
      clientId: String(j["client_id"]),
      clientSecret: String(j["client_secret"]),
      secretToken: String(j["secret_token"]),
    };
  }
  fail(a, "creating the Zoom app");
}

/** The ids of the account's apps named `appName` (every page). */
export async function findApps(t: MarketplaceTarget, token: string, appName: string): Promise<string[]> {
  const found: string[] = [];
  let next = "";
  for (let page = 0; page < 100; page++) {
    const url = api(t, "/marketplace/apps");
    url.searchParams.set("page_size", "300");
    if (next) url.searchParams.set("next_page_token", next);
    const a = await send(t, url, { method: "GET", headers: bearer(token) });
    if (a.status !== 200) fail(a, "listing the account's Zoom apps");
    const apps = Array.isArray(a.json["apps"]) ? (a.json["apps"] as { app_id?: unknown; app_name?: unknown }[]) : [];
    found.push(...apps.filter((x) => x.app_name === appName).map((x) => String(x.app_id)));
    next = typeof a.json["next_page_token"] === "string" ? a.json["next_page_token"] : "";
    if (!next) break;
  }
  return found;
}

export async function putManifest(t: MarketplaceTarget, token: string, appId: string, manifest: ZoomAppManifest): Promise<void> {
  const a = await send(t, api(t, `/marketplace/apps/${encodeURIComponent(appId)}/manifest`), {
    method: "PUT",
    headers: bearer(token, true),
    body: JSON.stringify({ manifest }),
  });
  if (a.status !== 204 && a.status !== 200) fail(a, `updating the manifest of Zoom app ${appId}`);
}

/** Deleted, or already gone: both are done. */
export async function deleteApp(t: MarketplaceTarget, token: string, appId: string): Promise<void> {
  const a = await send(t, api(t, `/marketplace/apps/${encodeURIComponent(appId)}`), { method: "DELETE", headers: bearer(token) });
  if (a.status === 204 || a.status === 200 || a.status === 404) return;
  fail(a, `deleting Zoom app ${appId}`);
}

// Obtains a real grant from the Zoom emulator (consent, code exchange), as the service would.
import { createHash, randomBytes } from "node:crypto";
import type { ZoomEmulator } from "../zoom-emulator/index.ts";
import type { StoredGrant } from "../../common/tenant/token-secret.ts";

export interface GrantRequest {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly login: string;
  readonly organizationId: string;
}

export async function obtainGrant(zoom: ZoomEmulator, r: GrantRequest): Promise<StoredGrant> {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const authorize = new URL("/oauth/authorize", zoom.url);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    state: "s",
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  const code = new URL(zoom.approve(authorize.toString(), r.login)).searchParams.get("code") ?? "";
  const res = await fetch(new URL("/oauth/token", zoom.url), {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${r.clientId}:${r.clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: r.redirectUri, code_verifier: verifier }),
  });
  const t = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string; api_url: string };
  if (!res.ok) throw new Error(`token exchange failed: ${res.status}`);
  const grant = zoom.inspect().grants.at(-1)!;
  const now = new Date(zoom.clock.now());
  return {
    organizationId: r.organizationId,
    accountId: grant.accountId,
    userId: grant.userId,
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    accessTokenExpiresAt: new Date(now.getTime() + t.expires_in * 1000).toISOString(),
    scopes: t.scope.split(" "),
    apiUrl: t.api_url,
    connectedAt: now.toISOString(),
    state: "Connected",
  };
}

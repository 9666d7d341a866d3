// Revokes a tenant's Zoom grants when its ZoomIntegration is deleted with deletionPolicy Revoke.
// Zoom's revoke endpoint takes a token and the app's Basic client authentication.
import type { StoredGrant } from "../../common/tenant/token-secret.ts";

export interface RevokeProps {
  readonly oauthBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly grants: readonly StoredGrant[];
  /** Each request gives up after this long. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface RevokeOutcome {
  readonly revoked: number;
  /** One line per failed grant (organization and reason: no token, no secret). */
  readonly failures: string[];
}

async function revokeOne(props: RevokeProps, grant: StoredGrant): Promise<string | undefined> {
  const doFetch = props.fetch ?? fetch;
  const basic = Buffer.from(`${props.clientId}:${props.clientSecret}`).toString("base64");
  // NB: an expired access token may be refused; the refresh token identifies the same grant.
  for (const token of [grant.accessToken, grant.refreshToken]) {
    try {
      const res = await doFetch(new URL("/oauth/revoke", props.oauthBaseUrl), {
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(props.timeoutMs),
      });
      await res.arrayBuffer();
      if (res.ok) return undefined;
      if (res.status >= 500 || res.status === 401 || res.status === 429) {
        return `organization ${grant.organizationId}: Zoom answered ${res.status}`;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.name : "error";
      return `organization ${grant.organizationId}: ${reason} talking to Zoom`;
    }
  }
  return undefined; // both tokens refused as invalid: the grant is already gone at Zoom
}

export async function revokeGrants(props: RevokeProps): Promise<RevokeOutcome> {
  const failures: string[] = [];
  for (const grant of props.grants) {
    const failure = await revokeOne(props, grant);
    if (failure) failures.push(failure);
  }
  return { revoked: props.grants.length - failures.length, failures };
}

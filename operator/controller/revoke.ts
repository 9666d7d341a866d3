// Revokes a tenant's Zoom grants when its ZoomIntegration is deleted with deletionPolicy Revoke.
// One try per token: the work queue retries a failed deletion with backoff until the revoke timeout.
import type { Dispatcher } from "undici";
import type { StoredGrant } from "../../common/tenant/token-secret.ts";
import { revokeFirstKnown, ZoomRevokeError } from "../../common/zoom/revoke.ts";

export interface RevokeProps {
  readonly oauthBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly grants: readonly StoredGrant[];
  /** Each request gives up after this long. */
  readonly timeoutMs: number;
  /** Zoom's HTTP dispatcher; default undici's global one. */
  readonly dispatcher?: Dispatcher;
}

export interface RevokeOutcome {
  readonly revoked: number;
  /** One line per failed grant (organization and reason: no token, no secret). */
  readonly failures: string[];
}

async function revokeOne(props: RevokeProps, grant: StoredGrant): Promise<string | undefined> {
  try {
    await revokeFirstKnown(props, [grant.accessToken, grant.refreshToken]); // "InvalidToken": the grant is already gone
    return undefined;
  } catch (error) {
    if (!(error instanceof ZoomRevokeError)) throw error;
    return `organization ${grant.organizationId}: ${error.message}`;
  }
}

export async function revokeGrants(props: RevokeProps): Promise<RevokeOutcome> {
  const failures: string[] = [];
  for (const grant of props.grants) {
    const failure = await revokeOne(props, grant);
    if (failure) failures.push(failure);
  }
  return { revoked: props.grants.length - failures.length, failures };
}

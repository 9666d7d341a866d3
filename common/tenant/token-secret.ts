// The contract of the `<name>-zoom-tokens` Secret, shared by the service (which owns its data) and
// the operator (which reads it for status and, on deletion, to revoke grants).
// - data key `grant.<hash of organizationId>`: JSON `StoredGrant` (secret: tokens)
// - annotation `bookingops.dev/connections`: JSON `ConnectionSummary[]` (no secrets), so the
//   operator can report connections without ever parsing a token.
import { createHash } from "node:crypto";
import { z } from "zod";
import { ConnectionState } from "../api/constants.ts";

export const CONNECTIONS_ANNOTATION = "bookingops.dev/connections";
export const GRANT_KEY_PREFIX = "grant.";

const ConnectionStateSchema = z.enum(ConnectionState);

export const ConnectionSummary = z.object({
  organizationId: z.string().min(1),
  accountId: z.string().optional(),
  userId: z.string().optional(),
  state: ConnectionStateSchema,
  scopes: z.array(z.string()).optional(),
  missingScopes: z.array(z.string()).optional(),
  connectedAt: z.string().optional(),
  lastRefreshAt: z.string().optional(),
  /** Why the state is not Connected, in words without secrets (e.g. "Zoom answered invalid_grant (4741)"). */
  reason: z.string().optional(),
});
export type ConnectionSummary = z.infer<typeof ConnectionSummary>;

export const StoredGrant = z.object({
  organizationId: z.string().min(1),
  accountId: z.string(),
  userId: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  /** ISO time the access token expires. */
  accessTokenExpiresAt: z.string(),
  scopes: z.array(z.string()),
  apiUrl: z.string(),
  connectedAt: z.string(),
  lastRefreshAt: z.string().optional(),
  state: ConnectionStateSchema,
  /** Required scopes the grant lacks (state MissingScopes). */
  missingScopes: z.array(z.string()).optional(),
  /** Why the state is not Connected (no secrets). */
  reason: z.string().optional(),
});
export type StoredGrant = z.infer<typeof StoredGrant>;

/** Secret data keys allow only [-._a-zA-Z0-9]: organization ids are hashed into the key. */
export function grantKey(organizationId: string): string {
  return `${GRANT_KEY_PREFIX}${createHash("sha256").update(organizationId).digest("hex").slice(0, 32)}`;
}

/** The secret-free view of a grant, as written to the connections annotation. */
export function summarize(grant: StoredGrant): ConnectionSummary {
  return {
    organizationId: grant.organizationId,
    accountId: grant.accountId,
    userId: grant.userId,
    state: grant.state,
    scopes: grant.scopes,
    missingScopes: grant.missingScopes,
    connectedAt: grant.connectedAt,
    lastRefreshAt: grant.lastRefreshAt,
    reason: grant.reason,
  };
}

/** Reads the connection summaries from the Secret's annotations; malformed entries are skipped and counted. */
export function readConnections(annotations: Record<string, string> | undefined): { connections: ConnectionSummary[]; malformed: number } {
  const raw = annotations?.[CONNECTIONS_ANNOTATION];
  if (!raw) return { connections: [], malformed: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { connections: [], malformed: 1 }; // written by hand or truncated: report, do not crash
  }
  const list = Array.isArray(parsed) ? parsed : [];
  const connections = list.flatMap((item) => {
    const r = ConnectionSummary.safeParse(item);
    return r.success ? [r.data] : [];
  });
  return { connections, malformed: list.length - connections.length + (Array.isArray(parsed) ? 0 : 1) };
}

/** Decodes every stored grant in a Secret's data (base64 values); malformed entries are skipped. */
export function readGrants(data: Record<string, string> | undefined): StoredGrant[] {
  return Object.entries(data ?? {})
    .filter(([key]) => key.startsWith(GRANT_KEY_PREFIX))
    .flatMap(([, value]) => {
      try {
        const r = StoredGrant.safeParse(JSON.parse(Buffer.from(value, "base64").toString("utf8")));
        return r.success ? [r.data] : [];
      } catch {
        return [];
      }
    });
}

// The seam between the token lifecycle (service part 1) and everything that calls Zoom's REST API
// (meetings, users). Implementations guarantee at most one refresh per grant across all replicas.

export interface AccessGrant {
  readonly accessToken: string;
  /** Regional REST base from the token response, without /v2 (e.g. https://api.zoom.us). */
  readonly apiUrl: string;
  readonly accountId: string;
  /** The Zoom user who consented (the default meeting host). */
  readonly userId: string;
  readonly scopes: readonly string[];
}

export interface AccessTokens {
  /**
   * A currently valid access token for the organization's grant (refreshed if it expires soon).
   * Throws ServiceError CONNECTION_MISSING, REAUTHORIZATION_REQUIRED or MISSING_SCOPES.
   */
  get(organizationId: string): Promise<AccessGrant>;
  /**
   * Zoom answered 124 (invalid/expired token) to `rejectedAccessToken`: refresh once (unless another
   * caller or replica already did) and return the new token. Never loops.
   */
  refreshAfterRejection(organizationId: string, rejectedAccessToken: string): Promise<AccessGrant>;
}

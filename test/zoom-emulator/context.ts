import type { Clock } from "./clock.ts";
import type { IdSource } from "./ids.ts";
import type { RateLimiter } from "./rate-limits.ts";
import type { Store } from "./store.ts";

export interface BehaviourOptions {
  /**
   * Reusing a rotated refresh token always fails with `invalid_grant`; with this on it also kills
   * the whole grant (the current refresh token too), as OAuth reuse detection does. Default false.
   */
  readonly revokeGrantOnRefreshReuse: boolean;
  /** ZOOM.md is unsure (15 years .. ~90 days); the emulator takes the short reading. Default 90 days. */
  readonly refreshTokenTtlMs: number;
  /** Per-second and daily limits. Default true; the load benchmark turns them off. */
  readonly rateLimits: boolean;
  /** Send `app_deauthorized` to the app's eventUrl when a grant is revoked. Default true. */
  readonly deauthorizeOnRevoke: boolean;
}

/** What every handler may use: state, time, randomness, limits and where the emulator lives. */
export interface EmulatorContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly limiter: RateLimiter;
  readonly behaviour: BehaviourOptions;
  /** http://127.0.0.1:PORT, known once listening. */
  baseUrl(): string;
  /** The `api_url` of token responses; the base URL unless overridden. */
  apiUrl(): string;
  /** Fire-and-forget `app_deauthorized` for a grant that just ended by revocation. */
  onGrantRevoked(grantId: string): void;
}

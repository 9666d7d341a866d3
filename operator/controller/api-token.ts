// The booking app's bearer token and the service's state key: generated once, then kept. Each
// rotates on its own annotation (a new value of rotate-api-token replaces the token, of
// rotate-state-key the state key, never both); the replaced value stays valid for an overlap period,
// so the booking app has time to re-read the token and consent flows in progress survive.
import { randomBytes } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import type { ApiTokenProps } from "../../charts/tenant/props.ts";
import { API_TOKEN_ROTATION_ANNOTATION, ApiTokenKey, STATE_KEY_ROTATION_ANNOTATION } from "../../common/tenant/contract.ts";
import { type KubeAccess, rawGet } from "../../common/kube/raw-client.ts";

export interface RotationRequest {
  /** The rotate-api-token annotation's value on the ZoomIntegration; undefined when it has none. */
  readonly requested: string | undefined;
  /** The rotate-state-key annotation's value on the ZoomIntegration; undefined when it has none. */
  readonly requestedStateKey: string | undefined;
  readonly now: Date;
  readonly overlapMs: number;
  readonly stateKeyOverlapMs: number;
}

type Random = (n: number) => Buffer;

const decode = (v: string | undefined) => (v ? Buffer.from(v, "base64").toString("utf8") : "");
const fresh = (random: Random) => random(32).toString("base64url");
const until = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

export function fromSecret(s: V1Secret | undefined): ApiTokenProps | undefined {
  const read = (key: string) => decode(s?.data?.[key]);
  const [token, stateKey] = [read(ApiTokenKey.Token), read(ApiTokenKey.StateKey)];
  if (!token || !stateKey) return undefined;
  const [previousToken, expiresAt] = [read(ApiTokenKey.PreviousToken), read(ApiTokenKey.PreviousTokenExpiresAt)];
  const [previousKey, keyExpiresAt] = [read(ApiTokenKey.PreviousStateKey), read(ApiTokenKey.PreviousStateKeyExpiresAt)];
  const rotation = s?.metadata?.annotations?.[API_TOKEN_ROTATION_ANNOTATION];
  const stateKeyRotation = s?.metadata?.annotations?.[STATE_KEY_ROTATION_ANNOTATION];
  return {
    token,
    stateKey,
    ...(previousToken && expiresAt ? { previous: { token: previousToken, expiresAt } } : {}),
    ...(previousKey && keyExpiresAt ? { previousStateKey: { key: previousKey, expiresAt: keyExpiresAt } } : {}),
    ...(rotation ? { rotation } : {}),
    ...(stateKeyRotation ? { stateKeyRotation } : {}),
  };
}

export function generateApiToken(random: Random = randomBytes): ApiTokenProps {
  return { token: fresh(random), stateKey: fresh(random) };
}

function rotateToken(p: ApiTokenProps, r: RotationRequest, random: Random): ApiTokenProps {
  if (!r.requested || r.requested === p.rotation) return p;
  return { ...p, token: fresh(random), previous: { token: p.token, expiresAt: until(r.now, r.overlapMs) }, rotation: r.requested };
}

function rotateStateKey(p: ApiTokenProps, r: RotationRequest, random: Random): ApiTokenProps {
  if (!r.requestedStateKey || r.requestedStateKey === p.stateKeyRotation) return p;
  const previousStateKey = { key: p.stateKey, expiresAt: until(r.now, r.stateKeyOverlapMs) };
  return { ...p, stateKey: fresh(random), previousStateKey, stateKeyRotation: r.requestedStateKey };
}

const ended = (previous: { expiresAt: string } | undefined, now: Date) =>
  previous !== undefined && Date.parse(previous.expiresAt) <= now.getTime();

function dropEnded(p: ApiTokenProps, now: Date): ApiTokenProps {
  const [token, key] = [ended(p.previous, now), ended(p.previousStateKey, now)];
  if (!token && !key) return p;
  const { previous, previousStateKey, ...rest } = p;
  return { ...rest, ...(previous && !token ? { previous } : {}), ...(previousStateKey && !key ? { previousStateKey } : {}) };
}

/** Pure: what the Secret should hold next, given what it holds and what the ZoomIntegration asks. */
export function nextApiToken(existing: ApiTokenProps | undefined, request: RotationRequest, random: Random = randomBytes): ApiTokenProps {
  // A first Secret answers the current requests: creating a CR with the annotations rotates nothing.
  if (!existing) {
    const { requested, requestedStateKey } = request;
    return {
      ...generateApiToken(random),
      ...(requested ? { rotation: requested } : {}),
      ...(requestedStateKey ? { stateKeyRotation: requestedStateKey } : {}),
    };
  }
  // NB: nothing to change returns `existing` itself (each step returns its input untouched).
  return dropEnded(rotateStateKey(rotateToken(existing, request, random), request, random), request.now);
}

/** When the next overlap ends (the reconciler comes back then to drop the replaced value). */
export function overlapEndsInMs(props: ApiTokenProps, now: Date): number | undefined {
  const ends = [props.previous, props.previousStateKey].flatMap((p) => (p ? [Date.parse(p.expiresAt)] : []));
  return ends.length > 0 ? Math.max(0, Math.min(...ends) - now.getTime()) + 1000 : undefined;
}

export interface EnsuredApiToken {
  readonly apiToken: ApiTokenProps;
  /** The token was replaced in this pass. */
  readonly rotated: boolean;
  /** The state key was replaced in this pass. */
  readonly stateKeyRotated: boolean;
}

/**
 * The values the api-token Secret should hold. NB: the cache may lag behind our own write, and
 * acting on a stale copy would silently generate or rotate the token or the state key again, so
 * anything that would change either is confirmed with a direct read first.
 */
export async function ensureApiToken(
  kc: KubeAccess,
  cached: V1Secret | undefined,
  name: string,
  namespace: string,
  request: RotationRequest,
): Promise<EnsuredApiToken> {
  const fromCache = fromSecret(cached);
  const next = nextApiToken(fromCache, request);
  if (fromCache && next.token === fromCache.token && next.stateKey === fromCache.stateKey) {
    return { apiToken: next, rotated: false, stateKeyRotated: false };
  }
  const base = fromSecret(await rawGet<V1Secret>(kc, "v1", "secrets", namespace, name));
  const apiToken = nextApiToken(base, request);
  return {
    apiToken,
    rotated: base !== undefined && apiToken.token !== base.token,
    stateKeyRotated: base !== undefined && apiToken.stateKey !== base.stateKey,
  };
}

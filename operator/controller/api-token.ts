// The booking app's bearer token and the service's state key: generated once, then kept. A new
// value of the ZoomIntegration's rotate-api-token annotation replaces the token (never the state
// key, so consent flows in progress survive); the replaced one stays valid for an overlap period.
import { randomBytes } from "node:crypto";
import { CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import type { ApiTokenProps } from "../../charts/tenant/props.ts";
import { API_TOKEN_ROTATION_ANNOTATION, ApiTokenKey } from "../../common/tenant/contract.ts";
import { httpStatus } from "../errors.ts";

export interface RotationRequest {
  /** The annotation's value on the ZoomIntegration; undefined when it has none. */
  readonly requested: string | undefined;
  readonly now: Date;
  readonly overlapMs: number;
}

const decode = (v: string | undefined) => (v ? Buffer.from(v, "base64").toString("utf8") : "");

export function fromSecret(s: V1Secret | undefined): ApiTokenProps | undefined {
  const token = decode(s?.data?.[ApiTokenKey.Token]);
  const stateKey = decode(s?.data?.[ApiTokenKey.StateKey]);
  if (!token || !stateKey) return undefined;
  const previousToken = decode(s?.data?.[ApiTokenKey.PreviousToken]);
  const expiresAt = decode(s?.data?.[ApiTokenKey.PreviousTokenExpiresAt]);
  const rotation = s?.metadata?.annotations?.[API_TOKEN_ROTATION_ANNOTATION];
  return {
    token,
    stateKey,
    ...(previousToken && expiresAt ? { previous: { token: previousToken, expiresAt } } : {}),
    ...(rotation ? { rotation } : {}),
  };
}

export function generateApiToken(random: (n: number) => Buffer = randomBytes): ApiTokenProps {
  return { token: random(32).toString("base64url"), stateKey: random(32).toString("base64url") };
}

/** Pure: what the Secret should hold next, given what it holds and what the ZoomIntegration asks. */
export function nextApiToken(
  existing: ApiTokenProps | undefined,
  { requested, now, overlapMs }: RotationRequest,
  random: (n: number) => Buffer = randomBytes,
): ApiTokenProps {
  // A first token answers the current request: creating a CR with the annotation rotates nothing.
  if (!existing) return { ...generateApiToken(random), ...(requested ? { rotation: requested } : {}) };
  if (requested && requested !== existing.rotation) {
    const expiresAt = new Date(now.getTime() + overlapMs).toISOString();
    return {
      token: random(32).toString("base64url"),
      stateKey: existing.stateKey,
      previous: { token: existing.token, expiresAt },
      rotation: requested,
    };
  }
  if (existing.previous && Date.parse(existing.previous.expiresAt) <= now.getTime()) {
    const { previous: _expired, ...rest } = existing;
    return rest;
  }
  return existing;
}

/** When the overlap ends (the reconciler comes back then to drop the previous token). */
export function overlapEndsInMs(props: ApiTokenProps, now: Date): number | undefined {
  return props.previous ? Math.max(0, Date.parse(props.previous.expiresAt) - now.getTime()) + 1000 : undefined;
}

/**
 * The values the api-token Secret should hold. NB: the cache may lag behind our own write, and
 * acting on a stale copy would silently generate or rotate the booking app's token again, so
 * anything that would change the token is confirmed with a direct read first.
 */
export async function ensureApiToken(
  kc: KubeConfig,
  cached: V1Secret | undefined,
  name: string,
  namespace: string,
  request: RotationRequest,
): Promise<{ apiToken: ApiTokenProps; rotated: boolean }> {
  const fromCache = fromSecret(cached);
  const next = nextApiToken(fromCache, request);
  if (fromCache && next.token === fromCache.token) return { apiToken: next, rotated: false };
  let live: V1Secret | undefined;
  try {
    live = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace });
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
  }
  const base = fromSecret(live);
  const apiToken = nextApiToken(base, request);
  return { apiToken, rotated: base !== undefined && apiToken.token !== base.token };
}

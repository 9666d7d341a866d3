// The booking app's bearer token and the service's state key: generated once, then kept.
import { randomBytes } from "node:crypto";
import { CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import type { ApiTokenProps } from "../../charts/tenant/props.ts";
import { ApiTokenKey } from "../../common/tenant/contract.ts";
import { httpStatus } from "../errors.ts";

function fromSecret(s: V1Secret | undefined): ApiTokenProps | undefined {
  const token = s?.data?.[ApiTokenKey.Token];
  const stateKey = s?.data?.[ApiTokenKey.StateKey];
  if (!token || !stateKey) return undefined;
  return { token: Buffer.from(token, "base64").toString("utf8"), stateKey: Buffer.from(stateKey, "base64").toString("utf8") };
}

export function generateApiToken(random: (n: number) => Buffer = randomBytes): ApiTokenProps {
  return { token: random(32).toString("base64url"), stateKey: random(32).toString("base64url") };
}

/**
 * Returns the existing values, else generates new ones. NB: the cache may lag behind our own
 * create, and regenerating would silently rotate the booking app's token, so a cache miss is
 * confirmed with a direct read before generating.
 */
export async function ensureApiToken(
  kc: KubeConfig,
  cached: V1Secret | undefined,
  name: string,
  namespace: string,
): Promise<ApiTokenProps> {
  const fromCache = fromSecret(cached);
  if (fromCache) return fromCache;
  try {
    const live = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace });
    const existing = fromSecret(live);
    if (existing) return existing;
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
  }
  return generateApiToken();
}

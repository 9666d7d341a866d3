// Keeps what a revoke needs until the revoke is done. Deleting a namespace deletes everything in it
// at once: without a guard the tokens Secret (the grants) and the credentials Secret (the client
// that must sign the revoke) can be gone before the ZoomIntegration's finalizer runs, and the
// grants stay at Zoom, silently. So while a tenant with deletionPolicy Revoke holds grants, both
// Secrets carry the finalizer REVOKE_GUARD, which the operator removes once it revoked (or gave up).
import type { V1Secret } from "@kubernetes/client-node";
import { GROUP } from "../../common/api/constants.ts";
import { readGrants } from "../../common/tenant/token-secret.ts";
import { KubeHttpError, rawRequest, resourcePath, type KubeAccess } from "../../common/kube/raw-client.ts";

export const REVOKE_GUARD = `${GROUP}/revoke-grants`;

/**
 * How long a credentials Secret deleted under a live ZoomIntegration keeps its guard. NB: the
 * namespace controller deletes the Secrets of a namespace one after the other: when the tokens
 * Secret is not terminating this long after the credentials Secret, the user deleted only the
 * credentials (and is told SecretNotFound, as without a guard), not the whole namespace.
 */
export const CREDENTIALS_RELEASE_AFTER_MS = 10_000;

type Guardable = Pick<V1Secret, "data"> & {
  readonly metadata?: { readonly finalizers?: readonly string[]; readonly deletionTimestamp?: unknown };
};

export const guarded = (s: Guardable | undefined) => s?.metadata?.finalizers?.includes(REVOKE_GUARD) ?? false;
export const terminating = (s: Guardable | undefined) => s?.metadata?.deletionTimestamp != null;

/** A tenant needs the guards while it would revoke on deletion and holds at least one grant. */
export function needsGuard(revokeOnDelete: boolean, tokens: Guardable | undefined): boolean {
  return revokeOnDelete && readGrants(tokens?.data).length > 0;
}

export type CredentialsGuardAction = "add" | "keep" | "release" | { readonly releaseInMs: number };

/**
 * What to do with the credentials Secret's guard while its ZoomIntegration lives (pure).
 * `needed`: any live tenant of the namespace that references it needs the guard.
 */
export function credentialsGuardAction(
  credentials: Guardable | undefined,
  tokens: Guardable | undefined,
  needed: boolean,
  nowMs: number,
): CredentialsGuardAction {
  if (!credentials) return "keep";
  const has = guarded(credentials);
  if (!terminating(credentials)) return needed && !has ? "add" : !needed && has ? "release" : "keep";
  if (!has) return "keep";
  if (terminating(tokens)) return "keep"; // the namespace goes: the ZoomIntegration's deletion follows
  const deletedMs = new Date(credentials.metadata?.deletionTimestamp as string | Date).getTime();
  const wait = deletedMs + CREDENTIALS_RELEASE_AFTER_MS - nowMs;
  return wait > 0 ? { releaseInMs: wait } : "release";
}

/** Adds or removes the guard with a strategic merge patch (finalizers merge by value: other finalizers stay). */
export async function setGuard(kc: KubeAccess, namespace: string, name: string, on: boolean): Promise<void> {
  const body = on ? { metadata: { finalizers: [REVOKE_GUARD] } } : { metadata: { "$deleteFromPrimitiveList/finalizers": [REVOKE_GUARD] } };
  try {
    await rawRequest(kc, {
      method: "PATCH",
      path: resourcePath("v1", "secrets", namespace, name),
      body,
      contentType: "application/strategic-merge-patch+json",
    });
  } catch (error) {
    if (on || !(error instanceof KubeHttpError && error.code === 404)) throw error; // a Secret already gone holds nothing
  }
}

// A deleted ZoomIntegration: revoke its grants (deletionPolicy Revoke), release the revoke guards
// on its Secrets, then its finalizer. Events are a best-effort record here: a terminating namespace
// refuses new Events, and that must never keep the finalizer (and the namespace) in place.
import { DeletionPolicy, FINALIZER, Reason } from "../../common/api/constants.ts";
import { parseZoomIntegration, type ZoomIntegration } from "../../common/api/zoom-integration.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { readGrants } from "../../common/tenant/token-secret.ts";
import { ReconcileError, ReconcileReason } from "../errors.ts";
import type { Logger } from "pino";
import { type Caches, ownedSecret } from "./caches.ts";
import { type ResolvedZoomIntegration, resolveSecretRefs } from "./credentials.ts";
import type { KubeWriter } from "./kube-writer.ts";
import { deleteZoomApp, type ProvisioningDeps, releaseZoomApp } from "./provisioning.ts";
import { credentialsGuardAction, guarded, needsGuard, terminating } from "./revoke-guard.ts";
import { revokeGrants } from "./revoke.ts";
import type { Transition } from "./status.ts";
import type { KubeAccess } from "../../common/kube/raw-client.ts";

/** What finalizing needs of the reconciler's dependencies (reconciler.ts passes its own). */
export interface FinalizeDeps {
  readonly kc: KubeAccess;
  readonly caches: Caches;
  readonly writer: KubeWriter;
  readonly log: Logger;
  readonly revokeTimeoutMs: number;
  /** Provisioning's S2S tokens per tenant (to delete a provisioned Zoom app). */
  readonly s2sTokens?: ProvisioningDeps["s2sTokens"];
  /**
   * Keys whose revocation this process finished, with the uid of that object. NB: the writes that
   * follow (guards, finalizer) enqueue the key again before the cache shows the object gone; without
   * this the grants (and a provisioned app) would be revoked twice.
   */
  readonly finalized?: Map<string, string>;
}

const keyOf = (zi: ZoomIntegration) => `${zi.metadata.namespace}/${zi.metadata.name}`;
const revokesOnDelete = (zi: ZoomIntegration) => (zi.spec?.deletionPolicy ?? DeletionPolicy.Revoke) === DeletionPolicy.Revoke;

export async function finalize(deps: FinalizeDeps, zi: ZoomIntegration): Promise<{ readonly requeueAfterMs?: number }> {
  if (!zi.metadata.finalizers?.includes(FINALIZER)) return {};
  const parsed = parseZoomIntegration(JSON.parse(JSON.stringify(zi)));
  // NB: with provisioning the credentials are in the operator's own Secret: revoke and guards read that one.
  const resolved: ResolvedZoomIntegration | undefined = parsed.ok
    ? { ...parsed.value, spec: resolveSecretRefs(parsed.value.metadata.name ?? "", parsed.value.spec) }
    : undefined;
  const uid = zi.metadata.uid;
  const done = uid !== undefined && deps.finalized?.get(keyOf(zi)) === uid;
  if (resolved && revokesOnDelete(resolved) && !done) {
    const failures = await revokeAll(deps, resolved);
    if (resolved.spec.provisioning) failures.push(...(await deleteZoomApp({ ...deps, s2sTokens: deps.s2sTokens ?? new Map() }, resolved)));
    const deletedAt = new Date(String(zi.metadata.deletionTimestamp)).getTime();
    const waited = Date.now() - deletedAt;
    if (failures.length > 0 && waited < deps.revokeTimeoutMs) {
      // NB: the per-key backoff may have grown long (a terminating namespace refuses writes before
      // this), but giving up must happen at the deadline, or the namespace waits for the backoff.
      throw new ReconcileError(ReconcileReason.RevokeFailed, `revoking Zoom grants failed, retrying: ${failures.join("; ")}`, {
        retryable: true,
        retryAfterMs: Math.min(5000, Math.max(500, deps.revokeTimeoutMs - waited)),
      });
    }
    if (failures.length > 0) {
      const message = `gave up revoking Zoom grants after ${Math.round(waited / 1000)} s; revoke them in the Zoom Marketplace: ${failures.join("; ")}`;
      // NB: the log line is the record that survives a terminating namespace, which refuses the Event.
      deps.log.warn({ key: keyOf(zi), reason: Reason.RevokeFailed, failures }, "gave up revoking Zoom grants");
      await record(deps, zi, { reason: Reason.RevokeFailed, message, warning: true });
    }
    if (uid !== undefined) deps.finalized?.set(keyOf(zi), uid);
  } else if (resolved?.spec.provisioning) {
    await releaseZoomApp(deps, resolved); // Retain: the app's Secret outlives the CR
  }
  await releaseGuards(deps, resolved ?? zi);
  await deps.writer.setFinalizers(
    zi,
    (zi.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
  );
  return {};
}

/** An Event that may fail (a terminating namespace refuses new ones): logged, never thrown. */
export async function record(
  deps: FinalizeDeps,
  zi: ZoomIntegration,
  t: Pick<Transition, "reason" | "message" | "warning">,
): Promise<void> {
  await deps.writer.event(zi, t).catch((error: unknown) => {
    deps.log.warn({ key: keyOf(zi), reason: t.reason, err: error }, "could not record an Event (is the namespace terminating?)");
  });
}

async function revokeAll(deps: FinalizeDeps, zi: ResolvedZoomIntegration): Promise<string[]> {
  const ns = zi.metadata.namespace ?? "";
  const names = tenantNames(zi.metadata.name ?? "");
  const grants = readGrants(ownedSecret(deps.caches, names.tokensSecret, ns)?.data);
  if (grants.length === 0) return [];
  const ref = zi.spec.credentialsSecretRef;
  const creds = (await deps.caches.referencedSecret(ns, ref.name))?.data ?? {};
  const decode = (k: string) =>
    Buffer.from(creds[k] ?? "", "base64")
      .toString("utf8")
      .trim();
  const clientId = decode(ref.clientIdKey ?? "clientId");
  const clientSecret = decode(ref.clientSecretKey ?? "clientSecret");
  if (!clientId || !clientSecret) return [`the credentials Secret ${ref.name} is gone, so the grants cannot be revoked`];
  const outcome = await revokeGrants({
    oauthBaseUrl: zi.spec.zoom?.oauthBaseUrl ?? "https://zoom.us",
    clientId,
    clientSecret,
    grants,
    timeoutMs: Math.min(10_000, deps.revokeTimeoutMs),
  });
  if (outcome.revoked > 0)
    await record(deps, zi, { reason: "GrantsRevoked", message: `revoked ${outcome.revoked} Zoom grant(s)`, warning: false });
  return outcome.failures;
}

/** Whether another live tenant of the namespace, referencing the same credentials Secret, needs its guard. */
function othersNeedCredentials(deps: FinalizeDeps, zi: ZoomIntegration, name: string): boolean {
  const ns = zi.metadata.namespace ?? "";
  return deps.caches.zoomIntegrations.list(ns).some((o) => {
    const other = o as unknown as ZoomIntegration;
    if (other.metadata.name === zi.metadata.name || other.metadata.deletionTimestamp) return false;
    if (other.spec?.credentialsSecretRef?.name !== name) return false;
    return needsGuard(revokesOnDelete(other), ownedSecret(deps.caches, tenantNames(other.metadata.name ?? "").tokensSecret, ns));
  });
}

/**
 * While the ZoomIntegration lives: puts the revoke guard on its tokens and credentials Secrets when
 * it holds grants to revoke, and takes it off when not (one write per change). Returns when to come
 * back, when a deleted credentials Secret is released after a grace period.
 */
export async function keepRevokeGuards(deps: FinalizeDeps, zi: ResolvedZoomIntegration): Promise<number | undefined> {
  const ns = zi.metadata.namespace ?? "";
  const tokensName = tenantNames(zi.metadata.name ?? "").tokensSecret;
  const tokens = ownedSecret(deps.caches, tokensName, ns);
  const need = needsGuard(revokesOnDelete(zi), tokens);
  // NB: the API server refuses a new finalizer on an object being deleted; removing one is allowed.
  if (tokens && need !== guarded(tokens) && !(need && terminating(tokens))) await deps.writer.guardSecret(ns, tokensName, need);
  const credentialsName = zi.spec.credentialsSecretRef.name;
  const credentials = await deps.caches.referencedSecret(ns, credentialsName);
  const action = credentialsGuardAction(credentials, tokens, need || othersNeedCredentials(deps, zi, credentialsName), Date.now());
  if (action === "add" || action === "release") await deps.writer.guardSecret(ns, credentialsName, action === "add");
  return typeof action === "object" ? action.releaseInMs : undefined;
}

/** After the revoke: the Secrets may go (the credentials Secret only when no other tenant still needs it). */
async function releaseGuards(deps: FinalizeDeps, zi: ResolvedZoomIntegration | ZoomIntegration): Promise<void> {
  const ns = zi.metadata.namespace ?? "";
  const tokensName = tenantNames(zi.metadata.name ?? "").tokensSecret;
  if (guarded(ownedSecret(deps.caches, tokensName, ns))) await deps.writer.guardSecret(ns, tokensName, false);
  const credentialsName = zi.spec?.credentialsSecretRef?.name;
  if (!credentialsName) return;
  const credentials = await deps.caches.referencedSecret(ns, credentialsName);
  if (guarded(credentials) && !othersNeedCredentials(deps, zi, credentialsName)) await deps.writer.guardSecret(ns, credentialsName, false);
}

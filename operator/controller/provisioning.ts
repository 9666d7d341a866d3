// Provisioning (spec.provisioning): the operator creates the tenant's Zoom General app from its
// manifest with a Server-to-Server app's token, stores the app's credentials in the Secret it owns,
// and replaces the app's manifest when the rendered one changes. Idempotent and restart-safe:
// 1. an unchanged manifest with stored credentials calls Zoom not at all;
// 2. before creating, the app's identity (from the CR's uid) is recorded, and an app of that identity
//    left by an interrupted create (its secret never stored, and Zoom shows a secret only once) is
//    deleted first: a tenant never has two apps, and never one whose secret nobody has;
// 3. the create's answer is stored in one write: the app id and the credentials together.
// Zoom's refusals become the AppProvisioned condition; only Kubernetes errors are thrown.
import type { KubernetesObject, V1Secret } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { API_VERSION, ConditionStatus, KIND, Reason } from "../../common/api/constants.ts";
import { requiredScopes, type ZoomIntegration } from "../../common/api/zoom-integration.ts";
import { appIdentity, manifestNames, renderManifest, type ZoomAppManifest } from "../../common/tenant/manifest.ts";
import type { KubeObject } from "../../charts/tenant/render.ts";
import { type Caches, ownedSecret } from "./caches.ts";
import type { KubeWriter } from "./kube-writer.ts";
import { type AppRecord, manifestHash, type Provisioned, readRecord, recordSecret, type RecordTarget } from "./provisioning-record.ts";
import {
  createApp,
  deleteApp,
  findApps,
  MarketplaceError,
  MarketplaceErrorKind,
  type MarketplaceTarget,
  putManifest,
  type ServerToServer,
  serverToServerToken,
} from "./provisioning-zoom.ts";
import { type KubeAccess, rawGet } from "../../common/kube/raw-client.ts";

export interface ProvisioningDeps {
  readonly kc: KubeAccess;
  readonly caches: Caches;
  readonly writer: KubeWriter;
  readonly log: Logger;
  /** S2S access tokens per tenant (an hour each): steady state asks Zoom for none. */
  readonly s2sTokens: Map<string, { fingerprint: string; token: string; expiresAt: number }>;
  readonly dispatcher?: MarketplaceTarget["dispatcher"];
}

const asObject = (o: KubeObject) => o as unknown as KubernetesObject;

export type { Provisioned } from "./provisioning-record.ts";

const RETRY_UNAVAILABLE_MS = 30_000;
const ok = (appId: string): Provisioned => ({
  appId,
  verdict: { status: ConditionStatus.True, reason: Reason.AppInSync, message: `Zoom app ${appId} matches the manifest` },
});
const no = (reason: string, message: string, appId?: string, requeueAfterMs?: number): Provisioned => ({
  verdict: { status: ConditionStatus.False, reason, message },
  appId,
  requeueAfterMs,
});

function recordTarget(zi: ZoomIntegration): RecordTarget {
  const name = zi.metadata.name ?? "";
  return {
    name,
    namespace: zi.metadata.namespace ?? "",
    secretName: manifestNames(name).appSecret,
    owner: { apiVersion: API_VERSION, kind: KIND, name, uid: zi.metadata.uid ?? "" },
  };
}

export function desiredManifest(zi: ZoomIntegration): ZoomAppManifest {
  return renderManifest({ domain: zi.spec.domain, scopes: requiredScopes(zi.spec) });
}

const target = (zi: ZoomIntegration, dispatcher: ProvisioningDeps["dispatcher"]): MarketplaceTarget => ({
  oauthBaseUrl: zi.spec.zoom.oauthBaseUrl,
  apiBaseUrl: zi.spec.zoom.apiBaseUrl,
  ...(dispatcher ? { dispatcher } : {}),
});

/** Brings the tenant's Zoom app to the rendered manifest; a verdict for AppProvisioned. */
export async function provision(deps: ProvisioningDeps, zi: ZoomIntegration): Promise<Provisioned> {
  const t = recordTarget(zi);
  const manifest = desiredManifest(zi);
  const hash = manifestHash(manifest);
  const secret = ownedSecret(deps.caches, t.secretName, t.namespace);
  const cached = readRecord(secret);
  // NB: a Secret kept by Retain belongs to no one until a ZoomIntegration of the same name adopts it.
  if (secret && !secret.metadata?.ownerReferences?.some((r) => r.uid === t.owner.uid)) {
    await deps.writer.apply(asObject(recordSecret(t, cached)));
  }
  if (cached.appId && cached.credentials && cached.manifestHash === hash) return ok(cached.appId);
  const s2s = await serverToServer(deps, zi);
  if ("verdict" in s2s) return s2s;
  try {
    const token = await tokenFor(deps, zi, s2s);
    // NB: the cache may lag our own last write: decide on the live record, never create on a stale one.
    const record = readRecord(await readLive(deps.kc, t));
    if (record.appId && record.credentials)
      return await updateManifest(deps, zi, token, { ...record, appId: record.appId }, manifest, hash);
    return ok(await createOnce(deps, zi, token, record, manifest, hash));
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    if (error.kind === MarketplaceErrorKind.Rejected) deps.s2sTokens.delete(keyOf(zi));
    return refusal(zi, error, cached.appId);
  }
}

async function updateManifest(
  deps: ProvisioningDeps,
  zi: ZoomIntegration,
  token: string,
  record: AppRecord & { appId: string },
  manifest: ZoomAppManifest,
  hash: string,
): Promise<Provisioned> {
  if (record.manifestHash === hash) return ok(record.appId);
  await putManifest(target(zi, deps.dispatcher), token, record.appId, manifest);
  await deps.writer.apply(asObject(recordSecret(recordTarget(zi), { ...record, manifestHash: hash })));
  const message = `replaced the manifest of Zoom app ${record.appId} (redirect URI ${manifest.oauth_information.production_redirect_uri})`;
  await deps.writer.event(zi, { reason: Reason.ZoomAppUpdated, message, warning: false });
  return ok(record.appId);
}

async function createOnce(
  deps: ProvisioningDeps,
  zi: ZoomIntegration,
  token: string,
  record: AppRecord,
  manifest: ZoomAppManifest,
  hash: string,
): Promise<string> {
  const t = recordTarget(zi);
  const identity = record.identity ?? appIdentity(zi.metadata.uid ?? "");
  if (record.identity !== identity) await deps.writer.apply(asObject(recordSecret(t, { identity })));
  const where = target(zi, deps.dispatcher);
  for (const orphan of await findApps(where, token, identity)) {
    await deleteApp(where, token, orphan);
    const message = `deleted Zoom app ${orphan}, left by an interrupted create before its secret was stored; creating it again`;
    await deps.writer.event(zi, { reason: Reason.ZoomAppDeleted, message, warning: true });
  }
  const p = zi.spec.provisioning!;
  const contact = { companyName: p.companyName, contactName: p.contactName, contactEmail: p.contactEmail };
  const created = await createApp(where, token, identity, contact, manifest);
  const { appId, ...credentials } = created;
  await deps.writer.apply(asObject(recordSecret(t, { identity, appId, manifestHash: hash, credentials })));
  deps.log.info({ key: keyOf(zi), appId }, "created the tenant's Zoom app");
  await deps.writer.event(zi, { reason: Reason.ZoomAppCreated, message: `created Zoom app ${appId} from the manifest`, warning: false });
  return appId;
}

function refusal(zi: ZoomIntegration, error: MarketplaceError, appId: string | undefined): Provisioned {
  const ref = zi.spec.provisioning!.serverToServerSecretRef.name;
  switch (error.kind) {
    case MarketplaceErrorKind.Rejected:
      return no(
        Reason.ServerToServerRejected,
        `Zoom refused the Server-to-Server app of Secret ${ref} (wrong credentials, or the app was deactivated or deleted): ${error.message}`,
        appId,
      );
    case MarketplaceErrorKind.Scopes:
      return no(
        Reason.MarketplaceScopesMissing,
        `the Server-to-Server app of Secret ${ref} needs the scopes marketplace:write:app and marketplace:read:app: ${error.message}`,
        appId,
      );
    case MarketplaceErrorKind.Gone:
      return no(
        Reason.MarketplaceFailed,
        `${error.message}; the app is gone at Zoom: delete Secret ${manifestNames(zi.metadata.name ?? "").appSecret} to create a new one`,
        appId,
      );
    case MarketplaceErrorKind.Unavailable:
      return no(Reason.MarketplaceFailed, `${error.message}; retrying`, appId, RETRY_UNAVAILABLE_MS);
    default:
      return no(Reason.MarketplaceFailed, error.message, appId);
  }
}

const keyOf = (zi: ZoomIntegration) => `${zi.metadata.namespace}/${zi.metadata.name}`;

function readLive(kc: KubeAccess, t: RecordTarget): Promise<V1Secret | undefined> {
  return rawGet<V1Secret>(kc, "v1", "secrets", t.namespace, t.secretName);
}

/** The S2S app's credentials from its Secret, or the AppProvisioned verdict saying what is missing. */
async function serverToServer(deps: ProvisioningDeps, zi: ZoomIntegration): Promise<ServerToServer | Provisioned> {
  const ref = zi.spec.provisioning!.serverToServerSecretRef;
  const secret = await deps.caches.referencedSecret(zi.metadata.namespace ?? "", ref.name);
  if (!secret) return no(Reason.SecretNotFound, `Secret ${ref.name} (the Server-to-Server app) not found in this namespace`);
  const read = (key: string) =>
    Buffer.from(secret.data?.[key] ?? "", "base64")
      .toString("utf8")
      .trim();
  const values = { accountId: read(ref.accountIdKey), clientId: read(ref.clientIdKey), clientSecret: read(ref.clientSecretKey) };
  const keys = { accountId: ref.accountIdKey, clientId: ref.clientIdKey, clientSecret: ref.clientSecretKey };
  for (const [field, key] of Object.entries(keys)) {
    if (values[field as keyof typeof values] === "") return no(Reason.SecretKeyMissing, `Secret ${ref.name} has no non-empty key "${key}"`);
  }
  return values;
}

async function tokenFor(deps: ProvisioningDeps, zi: ZoomIntegration, s2s: ServerToServer): Promise<string> {
  const fingerprint = `${zi.spec.zoom.oauthBaseUrl}\0${s2s.accountId}\0${s2s.clientId}\0${s2s.clientSecret}`;
  const held = deps.s2sTokens.get(keyOf(zi));
  // NB: a token is used only while it has 5 minutes left, so no call starts with one about to expire.
  if (held && held.fingerprint === fingerprint && held.expiresAt - 5 * 60_000 > Date.now()) return held.token;
  const fresh = await serverToServerToken(target(zi, deps.dispatcher), s2s);
  deps.s2sTokens.set(keyOf(zi), { fingerprint, ...fresh });
  return fresh.token;
}

/**
 * On deletion with deletionPolicy Retain: the app stays at Zoom, so its Secret stays too (the owner
 * reference is dropped before the finalizer goes). A ZoomIntegration re-created with the same name
 * finds the recorded app and adopts it instead of creating another.
 */
export async function releaseZoomApp(deps: Pick<ProvisioningDeps, "kc" | "caches" | "writer">, zi: ZoomIntegration): Promise<void> {
  const t = recordTarget(zi);
  const live = ownedSecret(deps.caches, t.secretName, t.namespace) ?? (await readLive(deps.kc, t));
  if (!live) return;
  await deps.writer.apply(asObject(recordSecret(t, readRecord(live), { owned: false })));
}

/** On deletion with deletionPolicy Revoke: deletes the app (by its recorded id, and any of its identity). */
export async function deleteZoomApp(deps: ProvisioningDeps, zi: ZoomIntegration): Promise<string[]> {
  const t = recordTarget(zi);
  const record = readRecord(ownedSecret(deps.caches, t.secretName, t.namespace) ?? (await readLive(deps.kc, t)));
  if (!record.appId && !record.identity) return [];
  const s2s = await serverToServer(deps, zi);
  if ("verdict" in s2s) return [`the Zoom app ${record.appId ?? record.identity} cannot be deleted: ${s2s.verdict.message}`];
  try {
    const token = await tokenFor(deps, zi, s2s);
    const where = target(zi, deps.dispatcher);
    const ids = new Set([
      ...(record.appId ? [record.appId] : []),
      ...(record.identity ? await findApps(where, token, record.identity) : []),
    ]);
    for (const id of ids) await deleteApp(where, token, id);
    if (ids.size > 0) {
      await deps.writer.event(zi, { reason: Reason.ZoomAppDeleted, message: `deleted Zoom app ${[...ids].join(", ")}`, warning: false });
    }
    return [];
  } catch (error) {
    if (!(error instanceof MarketplaceError)) throw error;
    return [`deleting Zoom app ${record.appId ?? record.identity} failed: ${error.message}`];
  }
}

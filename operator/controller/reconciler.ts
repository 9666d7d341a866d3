// One reconcile of one ZoomIntegration: guard clauses, then apply or clean up. Domain problems
// become conditions and wait for a watch event; API errors are thrown and retried with backoff.
import type { MetricsScrapersProps } from "../../charts/tenant/props.ts";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  API_TOKEN_OVERLAP_SECONDS,
  FINALIZER,
  Reason,
  ROTATE_API_TOKEN_ANNOTATION,
  ROTATE_STATE_KEY_ANNOTATION,
  STATE_KEY_OVERLAP_SECONDS,
} from "../../common/api/constants.ts";
import { parseZoomIntegration, type ZoomIntegration, type ZoomIntegrationStatus } from "../../common/api/zoom-integration.ts";
import { API_PORT } from "../../common/tenant/names.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { InvalidTenantPropsError } from "../../charts/tenant/validate-props.ts";
import { renderTenant } from "../../charts/tenant/render.ts";
import { rawGetMetadata, type KubeAccess } from "../../common/kube/raw-client.ts";
import { driftOf, HASH_ANNOTATION, hashOf, withDesiredHash } from "../runtime/desired-state.ts";
import { type ChildView, contentVersion } from "../runtime/slim.ts";
import type { VerifiedChildren } from "../runtime/verified-children.ts";
import { ensureApiToken, overlapEndsInMs } from "./api-token.ts";
import {
  type Caches,
  CHILD_KINDS,
  CHILD_VIEWS,
  type ChildKind,
  deployment,
  lookup,
  type OptionalKind,
  ownedSecret,
  referencedSecrets,
  isUnwatched,
  type WatchedKind,
} from "./caches.ts";
import type { DomainIndex } from "./domain-claims.ts";
import { checkCredentials, referencedSecretNames, type ResolvedZoomIntegration, resolveSecretRefs } from "./credentials.ts";
import type { CredentialsVerdicts } from "./credentials-verdict.ts";
import { manifestConfigMap } from "../../charts/tenant/manifest-configmap.ts";
import { provision } from "./provisioning.ts";
import { askZoom, manifestProps, rawGetObject, zoomAppStatus } from "./provisioning-step.ts";
import type { KubeWriter } from "./kube-writer.ts";
import { finalize, keepRevokeGuards, record } from "./finalize.ts";
import { childApplyFailed, httpStatus, type ReconcileError } from "../errors.ts";
import { computeStatus, invalidSpecStatus, sameStatus, transitions } from "./status.ts";
import { tenantProps } from "./tenant-props.ts";
import { liveRoutes, removeStaleRoutes, routeObservation } from "./route-children.ts";

export interface ReconcilerDeps {
  readonly kc: KubeAccess;
  readonly caches: Caches;
  /** Who holds each domain (the oldest claim); a ZoomIntegration whose domain another holds gets no route. */
  readonly domains: Pick<DomainIndex, "heldByOther">;
  readonly writer: KubeWriter;
  readonly log: Logger;
  readonly serviceImage: string;
  readonly metricsScrapers?: MetricsScrapersProps | undefined;
  readonly revokeTimeoutMs: number;
  readonly now?: () => Date;
  /** Zoom's verdict on each tenant's Client ID and Secret, asked in the background. */
  readonly verdicts?: CredentialsVerdicts;
  /** Provisioning's S2S tokens per tenant. */
  readonly s2sTokens?: Map<string, { fingerprint: string; token: string; expiresAt: number }>;
  /** Children seen matching their desired state, at which resourceVersion (read whole only after a change). */
  readonly verified?: VerifiedChildren;
  /** Keys whose revocation on deletion is done (finalize.ts), with the object's uid. */
  readonly finalized?: Map<string, string>;
}

/** What the queue should do next with this key. */
export type Outcome = { readonly requeueAfterMs?: number };

export function splitKey(key: string): { namespace: string; name: string } {
  const [namespace = "", name = ""] = key.split("/");
  return { namespace, name };
}

export async function reconcile(deps: ReconcilerDeps, key: string): Promise<Outcome> {
  const { namespace, name } = splitKey(key);
  const raw = deps.caches.zoomIntegrations.get(name, namespace) as (KubernetesObject & { status?: ZoomIntegrationStatus }) | undefined;
  if (!raw) {
    deps.verdicts?.forget(key);
    deps.s2sTokens?.delete(key);
    deps.finalized?.delete(key);
    deps.verified?.forget(key);
    return {}; // deleted: its children go by garbage collection
  }
  if (raw.metadata?.deletionTimestamp) return finalize(deps, raw as unknown as ZoomIntegration);
  const withFinalizer = await ensureFinalizer(deps, raw);
  if (!withFinalizer) return {}; // deleted meanwhile
  const parsed = parseZoomIntegration(normaliseTimes(withFinalizer));
  if (!parsed.ok) {
    deps.log.warn({ key, errors: parsed.errors }, "spec refused by deeper validation");
    const now = (deps.now ?? (() => new Date()))();
    const status = invalidSpecStatus(raw.status, raw.metadata?.generation ?? 0, parsed.errors, now);
    await writeStatus(deps, raw as unknown as ZoomIntegration, status);
    return {}; // permanent until the spec changes: no retry
  }
  return apply(deps, { ...parsed.value, spec: resolveSecretRefs(parsed.value.metadata.name ?? "", parsed.value.spec) });
}

async function apply(deps: ReconcilerDeps, zi: ResolvedZoomIntegration): Promise<Outcome> {
  const ns = zi.metadata.namespace ?? "";
  const names = tenantNames(zi.metadata.name ?? "");
  const { applyError: manifestError } = await applyChildren(deps, `${ns}/${zi.metadata.name}`, [
    manifestConfigMap(manifestProps(zi)) as unknown as KubernetesObject,
  ]);
  const provisioned = zi.spec.provisioning ? await provision({ ...deps, s2sTokens: deps.s2sTokens ?? new Map() }, zi) : undefined;
  const referenced = await referencedSecrets(deps.caches, ns, referencedSecretNames(zi.spec));
  const credentials = checkCredentials(zi.spec, (n) => referenced.get(n));
  const holder = deps.domains.heldByOther(`${ns}/${zi.metadata.name}`);
  const live = liveRoutes(deps.caches, zi);
  await removeStaleRoutes(deps, zi, live, holder?.key);
  const zoomVerdict = credentials.ok
    ? askZoom(deps, zi, credentials.checksum, referenced.get(zi.spec.credentialsSecretRef.name))
    : undefined;
  let applied: Applied = manifestError ? { applyError: manifestError } : {};
  if (credentials.ok) {
    applied = {
      ...(await applyTenant(deps, zi, credentials.checksum, { domainHeldByOther: holder !== undefined, httpRoutesServed: live.served })),
      ...(manifestError ? { applyError: manifestError } : {}),
    };
    if (applied.invalidSpec) return {};
  } else {
    deps.log.info({ key: `${ns}/${zi.metadata.name}`, reason: credentials.reason }, "waiting for the credentials Secret");
  }
  const { applyError, requeueAfterMs } = applied;
  const status = computeStatus(
    {
      zi,
      credentials,
      deployment: deployment(deps.caches, names.deployment, ns),
      route: routeObservation(zi, live),
      ...(holder ? { domainHolder: holder.key } : {}),
      tokens: ownedSecret(deps.caches, names.tokensSecret, ns),
      endpoint: `http://${names.service}.${ns}.svc:${API_PORT}`,
      apiTokenSecretName: names.apiTokenSecret,
      ...(applyError ? { applyError: applyError.message } : {}),
      ...zoomAppStatus(zi, provisioned, zoomVerdict),
    },
    (deps.now ?? (() => new Date()))(),
  );
  await writeStatus(deps, zi, status);
  if (applyError) throw applyError; // retried with backoff; the condition already says why
  const after = [requeueAfterMs, provisioned?.requeueAfterMs, await keepRevokeGuards(deps, zi)].filter(
    (ms): ms is number => ms !== undefined,
  );
  return after.length === 0 ? {} : { requeueAfterMs: Math.min(...after) };
}

interface Applied {
  readonly applyError?: ReconcileError | undefined;
  /** While a rotation's overlap runs: when to come back to drop the replaced token or state key. */
  readonly requeueAfterMs?: number | undefined;
  /** The chart refused the props; the status already says so. */
  readonly invalidSpec?: boolean;
}

/** Renders the tenant (without a route when another claim holds the domain) and applies what drifted. */
async function applyTenant(
  deps: ReconcilerDeps,
  zi: ResolvedZoomIntegration,
  credentialsChecksum: string,
  routing: { readonly domainHeldByOther: boolean; readonly httpRoutesServed: boolean },
): Promise<Applied> {
  const ns = zi.metadata.namespace ?? "";
  const names = tenantNames(zi.metadata.name ?? "");
  const now = (deps.now ?? (() => new Date()))();
  const annotations = zi.metadata.annotations ?? {};
  const request = {
    requested: annotations[ROTATE_API_TOKEN_ANNOTATION],
    requestedStateKey: annotations[ROTATE_STATE_KEY_ANNOTATION],
    now,
    overlapMs: API_TOKEN_OVERLAP_SECONDS * 1000,
    stateKeyOverlapMs: STATE_KEY_OVERLAP_SECONDS * 1000,
  };
  const { apiToken, rotated, stateKeyRotated } = await ensureApiToken(
    deps.kc,
    ownedSecret(deps.caches, names.apiTokenSecret, ns),
    names.apiTokenSecret,
    ns,
    request,
  );
  const props = tenantProps({ zi, credentialsChecksum, apiToken, defaultImage: deps.serviceImage, metricsScrapers: deps.metricsScrapers });
  const owner = `${ns}/${zi.metadata.name}`;
  // NB: a hash of everything the render depends on; no secret is kept, only this digest.
  const renderKey = hashOf({ props, routing });
  if (await sameAsLastRender(deps, owner, ns, renderKey)) return { requeueAfterMs: overlapEndsInMs(apiToken, now) };
  let objects: KubernetesObject[];
  try {
    objects = (renderTenant(props) as KubernetesObject[]).filter((o) => keepRoute(o.kind, routing));
  } catch (error) {
    if (!(error instanceof InvalidTenantPropsError)) throw error;
    // The API server accepted the spec but the chart cannot render it: permanent until edited.
    await writeStatus(deps, zi, invalidSpecStatus(zi.status, zi.metadata.generation ?? 0, [...error.problems], now));
    return { invalidSpec: true };
  }
  const { applyError, allMatch } = await applyChildren(deps, owner, objects);
  if (allMatch) deps.verified?.recordRender(owner, renderKey, objects.map(childKey));
  if (rotated && !applyError) {
    const message = `rotated the API token in Secret ${names.apiTokenSecret} (request "${apiToken.rotation}"); the previous token is accepted until ${apiToken.previous?.expiresAt}`;
    await record(deps, zi, { reason: Reason.ApiTokenRotated, message, warning: false });
  }
  if (stateKeyRotated && !applyError) {
    const message = `rotated the state key in Secret ${names.apiTokenSecret} (request "${apiToken.stateKeyRotation}"); links and OAuth states sealed with the previous key open until ${apiToken.previousStateKey?.expiresAt}`;
    await record(deps, zi, { reason: Reason.StateKeyRotated, message, warning: false });
  }
  return { applyError, requeueAfterMs: overlapEndsInMs(apiToken, now) };
}

/**
 * NB: a later claimant of a domain gets no route at all: its route would compete for the holder's
 * OAuth codes. Without the Gateway API there is no HTTPRoute to apply (Routed says so).
 */
function keepRoute(
  kind: string | undefined,
  routing: { readonly domainHeldByOther: boolean; readonly httpRoutesServed: boolean },
): boolean {
  if (kind !== "Ingress" && kind !== "HTTPRoute") return true;
  return !routing.domainHeldByOther && (kind !== "HTTPRoute" || routing.httpRoutesServed);
}

/**
 * Applies each child of `owner` that is missing or differs; the error (reason from its cause) when
 * one was refused, and whether every child now matches its desired state (recorded as such).
 */
async function applyChildren(
  deps: ReconcilerDeps,
  owner: string,
  objects: KubernetesObject[],
): Promise<{ applyError: ReconcileError | undefined; allMatch: boolean }> {
  const desired = objects.map(withDesiredHash);
  // NB: the comparisons only read (a child that changed is read whole), so they run together; the
  // applies stay in the chart's order (a Role before the RoleBinding that names it).
  const drifts = await Promise.all(desired.map((obj) => childDrift(deps, owner, obj)));
  let allMatch = true;
  for (const [i, obj] of desired.entries()) {
    const drift = drifts[i];
    if (drift === undefined) continue;
    deps.log.debug({ kind: obj.kind, name: obj.metadata?.name, drift }, "applying a child that drifted");
    try {
      const applied = await deps.writer.apply(obj);
      if (driftOf(obj, applied) === undefined) verified(deps, owner, obj, applied);
      else allMatch = false;
    } catch (error) {
      const body = (error as { body?: unknown }).body;
      const detail = typeof body === "string" ? safeMessage(body) : "";
      const message = `applying ${obj.kind} ${obj.metadata?.name} failed${detail ? `: ${detail}` : ""}`;
      return { applyError: childApplyFailed(message, error), allMatch: false };
    }
  }
  return { applyError: undefined, allMatch };
}

/** True when the last render was of the same props and none of its children changed since: nothing to render or apply. */
async function sameAsLastRender(deps: ReconcilerDeps, owner: string, namespace: string, renderKey: string): Promise<boolean> {
  const children = deps.verified?.renderedChildren(owner, renderKey);
  if (!children) return false;
  const versions = await Promise.all(children.map((child) => currentVersion(deps, child, namespace)));
  return children.every((child, i) => deps.verified?.unchanged(owner, child, versions[i]));
}

/** A child's version as verified-children.ts records it (child: `kind/name`). */
async function currentVersion(deps: ReconcilerDeps, child: string, namespace: string): Promise<string | undefined> {
  const [kind = "", name = ""] = child.split("/");
  const current = await currentChild(deps, kind as ChildKind, name, namespace);
  return current && versionOf(current);
}

/**
 * The version a child is verified at: a cached view's content version (slim.ts: its status changing
 * does not count), any other's resourceVersion.
 */
const versionOf = (obj: KubernetesObject) => (obj as ChildView).contentVersion ?? obj.metadata?.resourceVersion;

/** True when `desired` is cached as a view once applied (caches.ts CHILD_VIEWS): watched, and not whole. */
const viewed = (desired: KubernetesObject) =>
  !isUnwatched(desired) && Array.isArray(CHILD_VIEWS[desired.kind as WatchedKind | OptionalKind]);

/** The version to record for `live`, read whole: the one versionOf will give for the child later. */
const recordedVersion = (desired: KubernetesObject, live: KubernetesObject) =>
  viewed(desired) ? contentVersion(live) : live.metadata?.resourceVersion;

/**
 * A child as last seen: its cached view (or whole object), else, for a ConfigMap, its metadata read
 * (the state ConfigMap is not watched: caches.ts isUnwatched; a watched one missing from the cache
 * may just have been deleted, or applied a moment ago).
 */
async function currentChild(deps: ReconcilerDeps, kind: ChildKind, name: string, namespace: string): Promise<KubernetesObject | undefined> {
  const cached = lookup(deps.caches, kind, name, namespace);
  if (cached || kind !== "ConfigMap") return cached;
  const { apiVersion, plural } = CHILD_KINDS[kind];
  return rawGetMetadata(deps.kc, apiVersion, plural, namespace, name);
}

const childKey = (obj: KubernetesObject) => `${obj.kind}/${obj.metadata?.name}`;
const desiredHash = (obj: KubernetesObject) => obj.metadata?.annotations?.[HASH_ANNOTATION] ?? "";

function verified(deps: ReconcilerDeps, owner: string, desired: KubernetesObject, live: KubernetesObject): void {
  deps.verified?.record(owner, childKey(desired), recordedVersion(desired, live), desiredHash(desired));
}

/**
 * Why the live child does not satisfy `desired`, or undefined when it does. A child cached whole (the
 * operator's own Secrets), or known by its metadata when that is all we own of it (the state
 * ConfigMap), is compared as it is; one cached as a view is compared whole once per version (read,
 * then remembered).
 */
async function childDrift(deps: ReconcilerDeps, owner: string, desired: KubernetesObject): Promise<string | undefined> {
  const kind = (desired.kind ?? "") as ChildKind;
  const { name = "", namespace = "" } = desired.metadata ?? {};
  const current = await currentChild(deps, kind, name, namespace);
  if (!current) return driftOf(desired, undefined);
  // NB: the state ConfigMap's data is the service's, only its metadata ours: compared from its metadata.
  const asIs = isUnwatched(desired) ? !("data" in desired) : CHILD_VIEWS[kind as WatchedKind | OptionalKind] === "whole";
  if (asIs) {
    const drift = driftOf(desired, current);
    if (drift === undefined) verified(deps, owner, desired, current);
    return drift;
  }
  if (deps.verified?.matches(owner, childKey(desired), versionOf(current), desiredHash(desired))) return undefined;
  const { apiVersion, plural } = CHILD_KINDS[kind];
  const live = await rawGetObject(deps.kc, apiVersion, plural, namespace, name);
  const drift = driftOf(desired, live);
  if (drift === undefined && live) verified(deps, owner, desired, live);
  return drift;
}

/** The API server's message from an error body (a Status object), never the object we sent. */
function safeMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: string };
    return (status.message ?? "").slice(0, 500);
  } catch {
    return "";
  }
}

async function writeStatus(deps: ReconcilerDeps, zi: ZoomIntegration, status: ZoomIntegrationStatus): Promise<void> {
  const before = zi.status;
  if (before && sameStatus(before, status)) return; // no write when nothing changed
  await deps.writer.writeStatus(zi, status);
  // NB: the status holds the truth; an Event refused (a terminating namespace) must not fail the reconcile.
  for (const t of transitions(before?.conditions, status.conditions ?? [])) {
    await record(deps, zi, { reason: t.reason, message: `${t.type}=${t.status}: ${t.message}`, warning: t.warning });
  }
}

/**
 * The ZoomIntegration with our finalizer, added first when missing (before anything that would need
 * cleaning up), and the reconcile goes on in the same pass. Undefined when it was deleted meanwhile:
 * NB: one deleted (without our finalizer yet) before the cache saw the delete answers 404, and there
 * is nothing left to do; retrying would only log until the informer catches up.
 */
async function ensureFinalizer<T extends KubernetesObject>(deps: ReconcilerDeps, zi: T): Promise<T | undefined> {
  const finalizers = zi.metadata?.finalizers ?? [];
  if (finalizers.includes(FINALIZER)) return zi;
  try {
    // NB: a compare-and-swap on the resourceVersion: a concurrent change is a 409, retried.
    await deps.writer.setFinalizers(zi as unknown as ZoomIntegration, [...finalizers, FINALIZER]);
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
  return { ...zi, metadata: { ...zi.metadata, finalizers: [...finalizers, FINALIZER] } };
}

/** Informer objects may hold Dates where the schema expects RFC 3339 strings. */
export function normaliseTimes(obj: unknown): unknown {
  return JSON.parse(JSON.stringify(obj));
}

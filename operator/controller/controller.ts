// Wires informers to the work queue. Event handlers only enqueue `namespace/name` keys: the CR's
// own, a child's controller owner, or every ZoomIntegration that references a changed Secret.
// Memory: full objects only for what the operator owns (managed-by selector); every other Secret is
// known by its metadata alone (metadata-informer.ts), and a referenced one's data is read on demand.
import type { MetricsScrapersProps } from "../../charts/tenant/props.ts";
import type { KubernetesObject, ObjectCache } from "@kubernetes/client-node";
import { rawList, resourcePath, type KubeAccess } from "../../common/kube/raw-client.ts";
import type { Logger } from "pino";
import { API_VERSION, KIND, PLURAL } from "../../common/api/constants.ts";
import type { OperatorMetrics } from "../metrics.ts";
import {
  AS_JSON,
  AS_OBJECTS,
  combinedHealth,
  type InformerHealth,
  type Packing,
  type RunningInformer,
  startInformer,
} from "../runtime/informer.ts";
import { type MetadataEvent, type RunningMetadataInformer, startMetadataInformer } from "../runtime/metadata-informer.ts";
import { ReferencedSecrets } from "../runtime/referenced-secrets.ts";
import { childView, slimmed } from "../runtime/slim.ts";
import { VerifiedChildren } from "../runtime/verified-children.ts";
import { type Lane, WorkQueue } from "../runtime/work-queue.ts";
import {
  type Caches,
  CHILD_KINDS,
  CHILD_VIEWS,
  MANAGED_BY_LABEL,
  MANAGED_BY_OPERATOR,
  type OptionalKind,
  WATCHED_KINDS,
  type WatchedKind,
} from "./caches.ts";
import { classify, ReconcileReason } from "../errors.ts";
import { DomainIndex } from "./domain-claims.ts";
import type { KubeWriter } from "./kube-writer.ts";
import { CredentialsVerdicts } from "./credentials-verdict.ts";
import { whenHttpRoutesServed } from "./gateway-api.ts";
import { reconcile } from "./reconciler.ts";

export const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_OPERATOR}`;

export interface ControllerProps {
  readonly kc: KubeAccess;
  readonly log: Logger;
  readonly metrics: OperatorMetrics;
  readonly writer: KubeWriter;
  /** Empty: every namespace. */
  readonly namespaces: readonly string[];
  readonly workers: number;
  readonly resyncMs: number;
  readonly serviceImage: string;
  /** Who may scrape the tenants' metrics ports. @default none: closed */
  readonly metricsScrapers?: MetricsScrapersProps;
  readonly revokeTimeoutMs: number;
}

export interface RunningController {
  readonly queue: WorkQueue;
  /** Synced once every informer listed; failing while any watch fails (the probes read this). */
  health(): InformerHealth;
  stop(): Promise<void>;
}

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

interface ReferencingSpec {
  readonly credentialsSecretRef?: { name?: string };
  readonly webhookSecretRef?: { name?: string };
  readonly provisioning?: { serverToServerSecretRef?: { name?: string } };
}

/** Keys of the ZoomIntegrations that reference `secretName` in `namespace`. */
export function referencingKeys(cache: ObjectCache<KubernetesObject>, namespace: string, secretName: string): string[] {
  return cache
    .list(namespace)
    .filter((zi) => {
      const spec = (zi as { spec?: ReferencingSpec }).spec;
      return (
        spec?.credentialsSecretRef?.name === secretName ||
        spec?.webhookSecretRef?.name === secretName ||
        spec?.provisioning?.serverToServerSecretRef?.name === secretName
      );
    })
    .map(keyOf);
}

type SizedCache = ObjectCache<KubernetesObject> & { readonly size: number };

/** One cache spanning several per-namespace informers (or one cluster-wide informer). */
function mergedCache(informers: RunningInformer<KubernetesObject>[]): SizedCache {
  return {
    get: (name, namespace) => {
      for (const i of informers) {
        const found = i.cache.get(name, namespace);
        if (found) return found;
      }
      return undefined;
    },
    list: (namespace) => informers.flatMap((i) => [...i.cache.list(namespace)]),
    get size() {
      return informers.reduce((sum, i) => sum + i.cache.size, 0);
    },
  };
}

/** Every Secret of `scopes`, by metadata only: which exist, at which resourceVersion. */
function watchSecretMetadata(
  { kc, log, metrics }: ControllerProps,
  scopes: (string | undefined)[],
  onEvent: (e: MetadataEvent) => void,
): Promise<RunningMetadataInformer[]> {
  const onRestart = () => metrics.informerRestarts.inc({ resource: "secrets (metadata)" });
  return Promise.all(
    scopes.map((namespace) => startMetadataInformer({ kc, log, apiVersion: "v1", plural: "secrets", namespace, onEvent, onRestart })),
  );
}

/** Full objects held, by kind: what zio_operator_cached_objects reports. */
function cachedObjects(caches: Record<string, SizedCache>, referenced: ReferencedSecrets): Record<string, number> {
  const counts: Record<string, number> = { ReferencedSecret: referenced.size };
  for (const [kind, cache] of Object.entries(caches)) counts[kind] = cache.size;
  return counts;
}

/** How often a key waiting for a failing watch looks again (cheap: no API call until the watch works). */
const STALE_RECHECK_MS = 1000;

export async function startController(props: ControllerProps): Promise<RunningController> {
  const { kc, log, metrics } = props;
  const scopes = props.namespaces.length > 0 ? [...props.namespaces] : [undefined];
  const running: RunningInformer<KubernetesObject>[] = [];
  const metadataInformers: RunningMetadataInformer[] = [];
  const referenced = new ReferencedSecrets(kc, (namespace, name) =>
    metadataInformers.map((i) => i.resourceVersion(namespace, name)).find((v) => v !== undefined),
  );
  const caches = { byKind: {}, referencedSecret: (namespace: string, name: string) => referenced.get(namespace, name) } as {
    zoomIntegrations: ObjectCache<KubernetesObject>;
    byKind: Record<string, ObjectCache<KubernetesObject>>;
    referencedSecret: Caches["referencedSecret"];
  };
  const health = () => combinedHealth([...running, ...metadataInformers]);
  let staleSince: number | undefined;
  const queue = new WorkQueue(
    async (key) => {
      // NB: a failing watch leaves its cache as it was when it failed: acting on it could undo what
      // happened meanwhile (a re-created child, a new grant), so keys wait until every watch works.
      const failingSince = health().failingSince;
      if (failingSince !== staleSince) {
        if (failingSince !== undefined)
          log.warn({ failingSince: new Date(failingSince).toISOString() }, "a watch is failing: reconciles wait for it");
        else if (staleSince !== undefined) log.info({ staleForMs: Date.now() - staleSince }, "every watch works again: reconciling");
        staleSince = failingSince;
      }
      if (failingSince !== undefined) {
        metrics.reconciles.inc({ result: "error", reason: ReconcileReason.CacheStale });
        queue.addAfter(key, STALE_RECHECK_MS);
        return;
      }
      const end = metrics.reconcileSeconds.startTimer();
      try {
        const outcome = await reconcile(deps, key);
        metrics.reconciles.inc({ result: "success", reason: "" });
        end({ result: "success" });
        if (outcome.requeueAfterMs) queue.addAfter(key, outcome.requeueAfterMs);
      } catch (error) {
        const e = classify(error);
        metrics.reconciles.inc({ result: "error", reason: e.reason });
        end({ result: "error" });
        if (e.retryAfterMs !== undefined) queue.addAfter(key, e.retryAfterMs); // NB: an earlier timer wins over the backoff's
        throw e;
      } finally {
        metrics.queueDepth.set(queue.depth);
      }
    },
    {
      workers: props.workers,
      onError: (key, error, retryInMs) =>
        log.warn({ key, reason: classify(error).reason, err: error, retryInMs }, "reconcile failed; will retry"),
    },
  );
  const domains = new DomainIndex();
  const deps = {
    kc,
    caches: caches as Caches,
    domains,
    writer: props.writer,
    log,
    serviceImage: props.serviceImage,
    metricsScrapers: props.metricsScrapers,
    revokeTimeoutMs: props.revokeTimeoutMs,
    // NB: a verdict that arrives later enqueues its tenant; `enqueue` drops keys until every cache is filled.
    verdicts: new CredentialsVerdicts({ enqueue: (key) => enqueue(key) }),
    s2sTokens: new Map(),
    verified: new VerifiedChildren(),
    finalized: new Map<string, string>(),
  };
  // NB: informers deliver events while the others are still listing; nothing is queued before every
  // cache is filled (a full enqueue follows), so a reconcile never sees a missing cache.
  let started = false;
  const enqueue = (key: string, lane: Lane = "event") => {
    if (!started) return;
    queue.add(key, lane);
    metrics.queueDepth.set(queue.depth);
  };
  const watch = async (
    apiVersion: string,
    plural: string,
    onEvent: (o: KubernetesObject) => void,
    keep: (o: KubernetesObject) => KubernetesObject,
    packing: Packing<KubernetesObject>,
    labelSelector?: string,
    indexNamespaces = false,
  ) => {
    const started = await Promise.all(
      scopes.map((ns) =>
        startInformer<KubernetesObject>({
          kc,
          log,
          onEvent,
          keep,
          packing,
          labelSelector,
          indexNamespaces,
          path: resourcePath(apiVersion, plural, ns),
          list: (each) => rawList(kc, apiVersion, plural, { namespace: ns, labelSelector, each }),
          onRestart: () => metrics.informerRestarts.inc({ resource: plural }),
        }),
      ),
    );
    running.push(...started);
    return mergedCache(started);
  };
  const sized: Record<string, SizedCache> = {};
  // NB: a claimant waiting for a domain is enqueued when the holder goes or moves, not only on its own events.
  const onZoomIntegration = (o: KubernetesObject) => {
    const gone = caches.zoomIntegrations !== undefined && !caches.zoomIntegrations.get(o.metadata?.name ?? "", o.metadata?.namespace);
    for (const key of [keyOf(o), ...domains.observe(o, gone)]) enqueue(key);
  };
  // NB: nothing reads a ZoomIntegration's managedFields; a child's own Apply entry is the drift comparison's.
  // NB: ZoomIntegrations stay parsed: every resync and every Secret event lists them all (a Secret
  // event those of its namespace: indexed by namespace).
  caches.zoomIntegrations = sized["ZoomIntegration"] = await watch(
    API_VERSION,
    PLURAL,
    onZoomIntegration,
    (o) => slimmed(o, false),
    AS_OBJECTS,
    undefined,
    true,
  );
  const child = (kind: WatchedKind | OptionalKind) => {
    const view = CHILD_VIEWS[kind];
    return view === "whole" ? (o: KubernetesObject) => slimmed(o, true) : (o: KubernetesObject) => childView(o, view);
  };
  const toOwner = (o: KubernetesObject) => {
    const owner = o.metadata?.ownerReferences?.find((r) => r.controller && r.kind === KIND && r.apiVersion === API_VERSION);
    if (owner) enqueue(`${o.metadata?.namespace}/${owner.name}`);
  };
  for (const kind of WATCHED_KINDS) {
    const { apiVersion, plural } = CHILD_KINDS[kind];
    caches.byKind[kind] = sized[kind] = await watch(apiVersion, plural, toOwner, child(kind), AS_JSON, MANAGED_BY_SELECTOR);
  }
  const onSecret = ({ namespace, name }: MetadataEvent) => {
    const keys = referencingKeys(caches.zoomIntegrations, namespace, name);
    if (keys.length === 0) referenced.forget(namespace, name);
    for (const key of keys) enqueue(key);
  };
  metadataInformers.push(...(await watchSecretMetadata(props, scopes, onSecret)));
  metrics.cachedObjects.count = () => cachedObjects(sized, referenced);
  // Level-based: every CR is looked at again periodically, whatever happened.
  const enqueueAll = () => {
    for (const o of caches.zoomIntegrations.list()) enqueue(keyOf(o), "background");
    referenced.retain((namespace, name) => referencingKeys(caches.zoomIntegrations, namespace, name).length > 0);
  };
  // NB: awaited, so a cluster that serves HTTPRoutes has their cache filled before the first reconcile.
  const gatewayApi = whenHttpRoutesServed(
    kc,
    async () => {
      const { apiVersion, plural } = CHILD_KINDS.HTTPRoute;
      caches.byKind.HTTPRoute = sized["HTTPRoute"] = await watch(
        apiVersion,
        plural,
        toOwner,
        child("HTTPRoute"),
        AS_JSON,
        MANAGED_BY_SELECTOR,
      );
      log.info({ resource: plural }, "the Gateway API is served: watching HTTPRoutes");
      enqueueAll();
    },
    (err) => log.warn({ err }, "Gateway API discovery failed; asking again later"),
  );
  await gatewayApi.first;
  started = true;
  const resync = setInterval(enqueueAll, props.resyncMs);
  resync.unref();
  enqueueAll();
  log.info(
    { namespaces: props.namespaces.length ? props.namespaces : "all", informers: running.length + metadataInformers.length },
    "controller started",
  );
  return {
    queue,
    health,
    stop: async () => {
      clearInterval(resync);
      gatewayApi.stop();
      await queue.stop();
      await Promise.all([...running, ...metadataInformers].map((i) => i.stop()));
    },
  };
}

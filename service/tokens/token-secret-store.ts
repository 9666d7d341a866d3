// The `<name>-zoom-tokens` Secret as the service sees it: grants (data, secret), the connections
// annotation (no secrets, read by the operator), refresh locks and consumed OAuth states
// (annotations). Every write is a compare-and-swap on the resourceVersion, so two replicas can
// never overwrite each other's changes: a conflict re-reads and re-applies the change.
import type { V1OwnerReference, V1Secret } from "@kubernetes/client-node";
import { type KubeAccess, rawRequest, resourcePath } from "../../common/kube/raw-client.ts";
import {
  CONNECTIONS_ANNOTATION,
  GRANT_KEY_PREFIX,
  grantKey,
  readGrants,
  type StoredGrant,
  summarize,
} from "../../common/tenant/token-secret.ts";
import { IMMEDIATE, retry } from "../../common/retry.ts";
import { ErrorCode, KUBERNETES_RETRY_AFTER_SECONDS, kubernetesUnavailable, ServiceError } from "../errors.ts";

const LOCK_PREFIX = "bookingops.dev/refresh-lock.";
const CONSUMED_STATES = "bookingops.dev/consumed-states";

/**
 * A refresh in progress. NB: no absolute time: another pod's clock is never compared with ours. An
 * observer measures `ttlMs` from when it first saw this (id, renewals) pair; the holder bumps
 * `renewals` to extend it (as client-go's leader election does with a Lease).
 */
export interface RefreshLock {
  readonly holder: string;
  readonly id: string;
  readonly ttlMs: number;
  readonly renewals: number;
}

/** A lock written by an older version ({holder, id, until}) lives 30 s from when it is seen. */
const LEGACY_LOCK_TTL_MS = 30_000;

function parseLock(value: string): RefreshLock | undefined {
  const lock = parseJson(value) as Partial<RefreshLock> | undefined;
  if (!lock || typeof lock.holder !== "string" || typeof lock.id !== "string") return undefined;
  const ttlMs = typeof lock.ttlMs === "number" && lock.ttlMs > 0 ? lock.ttlMs : LEGACY_LOCK_TTL_MS;
  return { holder: lock.holder, id: lock.id, ttlMs, renewals: typeof lock.renewals === "number" ? lock.renewals : 0 };
}

/** What a change may edit; maps are keyed by `grantKey(organizationId)`. */
export interface TokensDraft {
  readonly grants: Map<string, StoredGrant>;
  readonly locks: Map<string, RefreshLock>;
  /** nonceId -> expiry (ms): OAuth states already used, refused if presented again. */
  readonly consumedStates: Map<string, number>;
}

export interface TokensSnapshot extends TokensDraft {
  readonly resourceVersion: string;
  /** The ZoomIntegration (controller owner): Events are attached to it. */
  readonly owner: V1OwnerReference | undefined;
  readonly secret: V1Secret;
}

/** NB: a conflict is retried at once: the re-read is the wait, and only a few replicas contend. */
export const CONFLICT_BACKOFF = IMMEDIATE;

export class WriteConflict extends Error {
  constructor() {
    super("the tokens Secret changed since it was read");
    this.name = "WriteConflict";
  }
}

export interface TokenSecretStore {
  read(): Promise<TokensSnapshot>;
  /** Writes `draft` over `base` only if the Secret is still at base's resourceVersion; throws WriteConflict otherwise. */
  write(base: TokensSnapshot, draft: TokensDraft): Promise<TokensSnapshot>;
  /** Read, change, compare-and-swap, retried on conflict; no write when `change` changed nothing. */
  update<T>(change: (draft: TokensDraft, snapshot: TokensSnapshot) => T): Promise<{ result: T; snapshot: TokensSnapshot }>;
}

export function grantOf(draft: TokensDraft, organizationId: string): StoredGrant | undefined {
  return draft.grants.get(grantKey(organizationId));
}

export function copyDraft(d: TokensDraft): TokensDraft {
  return { grants: new Map(d.grants), locks: new Map(d.locks), consumedStates: new Map(d.consumedStates) };
}

export function parseSecret(secret: V1Secret): TokensSnapshot {
  const annotations = secret.metadata?.annotations ?? {};
  const grants = new Map(readGrants(secret.data).map((g) => [grantKey(g.organizationId), g]));
  const locks = new Map<string, RefreshLock>();
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(LOCK_PREFIX)) continue;
    const lock = parseLock(value);
    if (lock) locks.set(`${GRANT_KEY_PREFIX}${key.slice(LOCK_PREFIX.length)}`, lock);
  }
  const consumed = parseJson(annotations[CONSUMED_STATES] ?? "{}");
  const consumedStates = new Map(
    Object.entries(consumed && typeof consumed === "object" ? consumed : {}).filter(([, v]) => typeof v === "number"),
  );
  const owner = secret.metadata?.ownerReferences?.find((o) => o.controller) ?? secret.metadata?.ownerReferences?.[0];
  return { grants, locks, consumedStates, owner, resourceVersion: secret.metadata?.resourceVersion ?? "", secret };
}

/** The Secret with the draft applied; data keys and annotations that are not ours are kept. */
export function renderSecret(base: V1Secret, draft: TokensDraft, now: number): V1Secret {
  const data = Object.fromEntries(Object.entries(base.data ?? {}).filter(([k]) => !k.startsWith(GRANT_KEY_PREFIX)));
  const grants = [...draft.grants.values()].sort((a, b) => a.organizationId.localeCompare(b.organizationId));
  for (const g of grants) data[grantKey(g.organizationId)] = Buffer.from(JSON.stringify(g)).toString("base64");
  const annotations = Object.fromEntries(
    Object.entries(base.metadata?.annotations ?? {}).filter(
      ([k]) => !k.startsWith(LOCK_PREFIX) && k !== CONSUMED_STATES && k !== CONNECTIONS_ANNOTATION,
    ),
  );
  annotations[CONNECTIONS_ANNOTATION] = JSON.stringify(grants.map(summarize));
  for (const [key, lock] of draft.locks) {
    if (draft.grants.has(key)) annotations[`${LOCK_PREFIX}${key.slice(GRANT_KEY_PREFIX.length)}`] = JSON.stringify(lock);
  }
  const consumed = Object.fromEntries([...draft.consumedStates].filter(([, exp]) => exp > now).sort());
  if (Object.keys(consumed).length > 0) annotations[CONSUMED_STATES] = JSON.stringify(consumed);
  return { ...base, metadata: { ...base.metadata, annotations }, data };
}

export interface StoreProps {
  /** Raw JSON over pooled connections (common/kube/raw-client.ts). */
  readonly kc: KubeAccess;
  readonly namespace: string;
  readonly name: string;
  readonly now: () => number;
}

const sameContent = (a: V1Secret, b: V1Secret) =>
  JSON.stringify([a.data ?? {}, a.metadata?.annotations ?? {}]) === JSON.stringify([b.data ?? {}, b.metadata?.annotations ?? {}]);

export function createTokenSecretStore(props: StoreProps): TokenSecretStore {
  const { kc, namespace, name } = props;
  const path = resourcePath("v1", "secrets", namespace, name);
  async function read(): Promise<TokensSnapshot> {
    try {
      return parseSecret(await rawRequest<V1Secret>(kc, { method: "GET", path }));
    } catch (error) {
      throw kubeError(error, `the tokens Secret ${namespace}/${name} cannot be read`);
    }
  }
  async function write(base: TokensSnapshot, draft: TokensDraft): Promise<TokensSnapshot> {
    const body = renderSecret(base.secret, draft, props.now());
    if (sameContent(body, base.secret)) return base;
    try {
      // NB: a PUT carrying the read resourceVersion is the compare-and-swap: 409 if anyone wrote since.
      return parseSecret(await rawRequest<V1Secret>(kc, { method: "PUT", path, body: { apiVersion: "v1", kind: "Secret", ...body } }));
    } catch (error) {
      if ((error as { code?: unknown }).code === 409) throw new WriteConflict();
      throw kubeError(error, `the tokens Secret ${namespace}/${name} cannot be written`);
    }
  }
  function update<T>(change: (draft: TokensDraft, snapshot: TokensSnapshot) => T) {
    return retry(
      async () => {
        const snapshot = await read();
        const draft = copyDraft(snapshot);
        const result = change(draft, snapshot);
        return { result, snapshot: await write(snapshot, draft) };
      },
      { attempts: 20, retryable: (error) => error instanceof WriteConflict, ...CONFLICT_BACKOFF },
    );
  }
  return { read, write, update };
}

/**
 * NB: the API server's error body is not kept as the cause: a 422 can echo the submitted values
 * (tokens). Its status, reason and (except for 422) message are enough to diagnose RBAC or outages.
 */
function kubeError(error: unknown, message: string): ServiceError {
  if (kubernetesUnavailable(error)) {
    return new ServiceError(ErrorCode.KubernetesUnavailable, `${message}: the Kubernetes API server is unavailable`, {
      cause: error,
      retryAfterSeconds: KUBERNETES_RETRY_AFTER_SECONDS,
    });
  }
  const status = (error as { code?: unknown }).code;
  if (typeof status !== "number") return new ServiceError(ErrorCode.Internal, message, { cause: error });
  const body = (error as { body?: unknown }).body;
  const parsed = typeof body === "string" ? parseJson(body) : body;
  const { reason, message: detail } = (parsed ?? {}) as { reason?: string; message?: string };
  const why = [reason, status === 422 ? undefined : detail].filter(Boolean).join(": ");
  return new ServiceError(ErrorCode.Internal, `${message} (HTTP ${status}${why ? `, ${why}` : ""})`);
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined; // an annotation edited by hand: treated as absent
  }
}

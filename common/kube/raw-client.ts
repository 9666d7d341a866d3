// Plain JSON requests to the Kubernetes API with the KubeConfig's credentials.
// NB: client-node's generated models drop fields they consider empty when (de)serialising: a
// NetworkPolicy peer `{podSelector: {}}` ("every pod of the namespace") vanishes, which turns
// "only these clients" into "everyone". Anything we apply or compare goes through raw JSON instead.
import type { RequestOptions } from "node:https";
import type { Cluster, KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { Agent, type Dispatcher, ProxyAgent, request } from "undici";

/**
 * What these requests need of a KubeConfig: the cluster, and the credentials for each request.
 * client-node's KubeConfig is one (tests use it); our own loader (common/kube/kube-access.ts) is another,
 * so neither the operator nor the service imports client-node (its import alone costs 50-70 MiB of RSS).
 */
export interface KubeAccess {
  getCurrentCluster(): Cluster | null;
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

export class KubeHttpError extends Error {
  readonly code: number;
  readonly body: string;
  constructor(code: number, body: string, what: string) {
    super(`${what}: the Kubernetes API answered ${code}`);
    this.name = "KubeHttpError";
    this.code = code;
    this.body = body;
  }
}

export interface RawRequest {
  readonly method: "GET" | "PATCH" | "PUT" | "POST" | "DELETE";
  readonly path: string;
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Default `application/json`; see PARTIAL_OBJECT_METADATA for metadata-only answers. */
  readonly accept?: string;
}

/** Waiting this long for the headers, or between two body chunks, fails a request (undici's timeout errors). */
const TIMEOUT_MS = 30_000;

export async function rawRequest<T>(kc: KubeAccess, req: RawRequest): Promise<T> {
  const response = await send(kc, req);
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300)
    throw new KubeHttpError(response.statusCode, text, `${req.method} ${req.path}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function send(
  kc: KubeAccess,
  req: RawRequest,
  stream?: { signal: AbortSignal; bodyTimeoutMs: number },
): Promise<Dispatcher.ResponseData> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  // NB: credentials are asked for on every request (an exec plugin or a token file renews them);
  // only the TLS material is kept, with the connections.
  const credentials: RequestOptions = {};
  await kc.applyToHTTPSOptions(credentials);
  const headers: Record<string, string> = { ...credentialHeaders(credentials), accept: req.accept ?? "application/json" };
  if (req.body !== undefined) headers["content-type"] = req.contentType ?? "application/json";
  return request(url, {
    method: req.method,
    headers,
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
    dispatcher: dispatcherFor(kc, cluster, credentials),
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: stream?.bodyTimeoutMs ?? TIMEOUT_MS,
    signal: stream?.signal,
  });
}

function credentialHeaders(credentials: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(credentials.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  if (credentials.auth) headers.authorization = `Basic ${Buffer.from(credentials.auth).toString("base64")}`;
  return headers;
}

/** One connection pool per KubeConfig, so requests reuse keep-alive connections. */
const dispatchers = new WeakMap<KubeAccess, Dispatcher>();

/** NB: the TLS material is read once per KubeConfig: a rotated client certificate needs a new KubeConfig. */
function dispatcherFor(kc: KubeAccess, cluster: Cluster, credentials: RequestOptions): Dispatcher {
  let dispatcher = dispatchers.get(kc);
  if (dispatcher) return dispatcher;
  if (cluster.proxyUrl?.startsWith("socks")) throw new Error(`the raw Kubernetes client cannot use the SOCKS proxy ${cluster.proxyUrl}`);
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = credentials;
  const tls = { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername };
  dispatcher = cluster.proxyUrl ? new ProxyAgent({ uri: cluster.proxyUrl, requestTls: tls }) : new Agent({ connect: tls });
  dispatchers.set(kc, dispatcher);
  return dispatcher;
}

/** The REST path of a resource collection (or one object with `name`). */
export function resourcePath(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const collection = namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
  return name ? `${collection}/${encodeURIComponent(name)}` : collection;
}

/** Server-side apply of one object as JSON (valid apply YAML), with force, under `fieldManager`. */
export function serverSideApply(kc: KubeAccess, obj: KubernetesObject, plural: string, fieldManager: string): Promise<KubernetesObject> {
  return rawRequest(kc, {
    method: "PATCH",
    path: resourcePath(obj.apiVersion ?? "", plural, obj.metadata?.namespace, obj.metadata?.name),
    query: { fieldManager, force: "true" },
    body: obj,
    contentType: "application/apply-patch+yaml",
  });
}

/** Objects per page: a large collection is read in slices, never parsed as one huge answer. */
export const LIST_PAGE_SIZE = 500;
/** A list restarts from its first page when its continue token expired (410) at most this often. */
const LIST_RESTARTS = 5;

/** One page of a list: the continue token of the previous page, or undefined for the first. */
export type FetchPage<T extends KubernetesObject> = (continueToken: string | undefined) => Promise<KubernetesListObject<T>>;

/**
 * What a list keeps of each object, applied as its page arrives: a page's whole objects are garbage
 * before the next page is read, so a list of large objects never holds them all at once.
 */
export type EachItem<T> = (item: T) => T;

export interface ListOptions<T> {
  /** @default LIST_PAGE_SIZE */
  readonly pageSize?: number;
  /** @default the object as listed */
  readonly each?: EachItem<T> | undefined;
}

/**
 * Every object of a collection, page by page (`limit`/`continue`). The answer carries the first
 * page's resourceVersion: the pages are one consistent snapshot, so a watch starts from there.
 */
export function listAllPages<T extends KubernetesObject>(
  kc: KubeAccess,
  req: Pick<RawRequest, "path" | "query" | "accept">,
  options: ListOptions<T> = {},
): Promise<KubernetesListObject<T> & { pages: number }> {
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  return collectPages<T>(
    (token) =>
      rawRequest(kc, {
        method: "GET",
        path: req.path,
        query: { ...req.query, limit: String(pageSize), continue: token },
        accept: req.accept,
      }),
    options.each,
  );
}

/**
 * Walks the pages `fetchPage` returns until one has no continue token.
 * NB: a continue token expires (410 Gone) once etcd compacted its revision; the list then starts over.
 */
export async function collectPages<T extends KubernetesObject>(
  fetchPage: FetchPage<T>,
  each: EachItem<T> = (item) => item,
): Promise<KubernetesListObject<T> & { pages: number }> {
  for (let restart = 0; ; restart++) {
    try {
      return await walkPages(fetchPage, each);
    } catch (error) {
      if (!(error instanceof ExpiredContinueError)) throw error;
      if (restart >= LIST_RESTARTS) throw error.cause;
    }
  }
}

class ExpiredContinueError extends Error {}

async function walkPages<T extends KubernetesObject>(
  fetchPage: FetchPage<T>,
  each: EachItem<T>,
): Promise<KubernetesListObject<T> & { pages: number }> {
  const items: T[] = [];
  let first: KubernetesListObject<T> | undefined;
  let token: string | undefined;
  let pages = 0;
  do {
    let page: KubernetesListObject<T>;
    try {
      page = await fetchPage(token);
    } catch (error) {
      if (token && error instanceof KubeHttpError && error.code === 410)
        throw new ExpiredContinueError("continue token expired", { cause: error });
      throw error;
    }
    first ??= page;
    pages++;
    for (const item of page.items ?? []) items.push(each(item));
    // NB: raw JSON says `continue`; client-node's model calls it `_continue`.
    token = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
  } while (token);
  return {
    apiVersion: first?.apiVersion,
    kind: first?.kind,
    metadata: { resourceVersion: first?.metadata?.resourceVersion },
    items,
    pages,
  };
}

/** One object, or undefined when it does not exist (404). */
export async function rawGet<T extends KubernetesObject = KubernetesObject>(
  kc: KubeAccess,
  apiVersion: string,
  plural: string,
  namespace: string | undefined,
  name: string,
): Promise<T | undefined> {
  try {
    return await rawRequest<T>(kc, { method: "GET", path: resourcePath(apiVersion, plural, namespace, name) });
  } catch (error) {
    if (error instanceof KubeHttpError && error.code === 404) return undefined;
    throw error;
  }
}

/** Every object of a collection in `namespace` (undefined: all), each passed through `each` page by page. */
export async function rawList<T extends KubernetesObject = KubernetesObject>(
  kc: KubeAccess,
  apiVersion: string,
  plural: string,
  scope: { readonly namespace?: string | undefined; readonly labelSelector?: string | undefined; readonly each?: EachItem<T> } = {},
) {
  const { pages: _pages, ...list } = await listAllPages<T>(
    kc,
    { path: resourcePath(apiVersion, plural, scope.namespace), query: { labelSelector: scope.labelSelector } },
    { each: scope.each },
  );
  return list;
}

/** Answers as PartialObjectMetadata(List): metadata only, whatever the object's size. */
export const PARTIAL_OBJECT_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
export const PARTIAL_OBJECT_METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

/** The metadata of one object (as PartialObjectMetadata), or undefined when it does not exist. */
export async function rawGetMetadata(kc: KubeAccess, apiVersion: string, plural: string, namespace: string, name: string) {
  try {
    return await rawRequest<KubernetesObject>(kc, {
      method: "GET",
      path: resourcePath(apiVersion, plural, namespace, name),
      accept: PARTIAL_OBJECT_METADATA,
    });
  } catch (error) {
    if (error instanceof KubeHttpError && error.code === 404) return undefined;
    throw error;
  }
}

/** One watch event; `object` is a Status for ERROR (e.g. code 410: the resourceVersion is too old). */
export interface WatchEvent<T = KubernetesObject> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: T & { code?: number; message?: string };
}

/** A watch silent this long (no event, no bookmark: the server sends one about every minute) is replaced. */
export const WATCH_SILENCE_MS = 5 * 60_000;

/**
 * Opens a watch (`watch=true` is added) and yields its events until the server ends it (after
 * `timeoutSeconds`; without it, after the server's --min-request-timeout, 30-60 min by default) or
 * until `signal` aborts. A refused watch throws KubeHttpError (e.g. 403, or 410 when the
 * resourceVersion is too old). NB: silence beyond the timeout (or WATCH_SILENCE_MS without one) ends
 * the watch as the server would: the caller watches again, and a server really gone fails that.
 */
export async function* rawWatch(
  kc: KubeAccess,
  req: Pick<RawRequest, "path" | "query" | "accept"> & { readonly timeoutSeconds?: number },
  signal: AbortSignal,
  /** Called once the server has accepted the watch (200), before any event: the watch works again. */
  onConnected?: () => void,
): AsyncGenerator<WatchEvent> {
  const timeout = req.timeoutSeconds === undefined ? {} : { timeoutSeconds: String(req.timeoutSeconds) };
  const query = { ...req.query, watch: "true", ...timeout };
  const bodyTimeoutMs = req.timeoutSeconds === undefined ? WATCH_SILENCE_MS : (req.timeoutSeconds + 30) * 1000;
  const response = await send(kc, { method: "GET", path: req.path, query, accept: req.accept }, { signal, bodyTimeoutMs });
  if (response.statusCode !== 200) {
    throw new KubeHttpError(response.statusCode, await response.body.text(), `GET ${req.path} (watch)`);
  }
  onConnected?.();
  try {
    yield* watchEvents(response.body);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "UND_ERR_BODY_TIMEOUT") throw error;
  }
}

async function* watchEvents(body: Dispatcher.ResponseData["body"]): AsyncGenerator<WatchEvent> {
  let buffered = "";
  body.setEncoding("utf8");
  for await (const chunk of body as AsyncIterable<string>) {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield JSON.parse(line) as WatchEvent;
      newline = buffered.indexOf("\n");
    }
  }
}

// Plain JSON requests to the Kubernetes API with the KubeConfig's credentials.
// NB: client-node's generated models drop fields they consider empty when (de)serialising: a
// NetworkPolicy peer `{podSelector: {}}` ("every pod of the namespace") vanishes, which turns
// "only these clients" into "everyone". Anything we apply or compare goes through raw JSON instead.
import type { RequestOptions } from "node:https";
import type { Cluster, KubeConfig, KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { Agent, type Dispatcher, ProxyAgent, request } from "undici";

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
}

/** Waiting this long for the headers, or between two body chunks, fails a request (undici's timeout errors). */
const TIMEOUT_MS = 30_000;

export async function rawRequest<T>(kc: KubeConfig, req: RawRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  // NB: credentials are asked for on every request (an exec plugin or a token file renews them);
  // only the TLS material is kept, with the connections.
  const credentials: RequestOptions = {};
  await kc.applyToHTTPSOptions(credentials);
  const headers: Record<string, string> = { ...credentialHeaders(credentials), accept: "application/json" };
  if (req.body !== undefined) headers["content-type"] = req.contentType ?? "application/json";
  const response = await request(url, {
    method: req.method,
    headers,
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
    dispatcher: dispatcherFor(kc, cluster, credentials),
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300)
    throw new KubeHttpError(response.statusCode, text, `${req.method} ${req.path}`);
  return (text ? JSON.parse(text) : undefined) as T;
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
const dispatchers = new WeakMap<KubeConfig, Dispatcher>();

/** NB: the TLS material is read once per KubeConfig: a rotated client certificate needs a new KubeConfig. */
function dispatcherFor(kc: KubeConfig, cluster: Cluster, credentials: RequestOptions): Dispatcher {
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
export function serverSideApply(kc: KubeConfig, obj: KubernetesObject, plural: string, fieldManager: string): Promise<KubernetesObject> {
  return rawRequest(kc, {
    method: "PATCH",
    path: resourcePath(obj.apiVersion ?? "", plural, obj.metadata?.namespace, obj.metadata?.name),
    query: { fieldManager, force: "true" },
    body: obj,
    contentType: "application/apply-patch+yaml",
  });
}

export function rawList(kc: KubeConfig, apiVersion: string, plural: string, namespace?: string, labelSelector?: string) {
  return rawRequest<KubernetesListObject<KubernetesObject>>(kc, {
    method: "GET",
    path: resourcePath(apiVersion, plural, namespace),
    query: { labelSelector },
  });
}

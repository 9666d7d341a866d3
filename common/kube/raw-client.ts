// Plain JSON requests to the Kubernetes API with the KubeConfig's credentials.
// NB: client-node's generated models drop fields they consider empty when (de)serialising: a
// NetworkPolicy peer `{podSelector: {}}` ("every pod of the namespace") vanishes, which turns
// "only these clients" into "everyone". Anything we apply or compare goes through raw JSON instead.
import { request } from "node:https";
import { request as httpRequest } from "node:http";
import type { KubeConfig, KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";

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

export async function rawRequest<T>(kc: KubeConfig, req: RawRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const options: import("node:https").RequestOptions = { method: req.method, headers: { accept: "application/json" } };
  await kc.applyToHTTPSOptions(options);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  if (payload !== undefined) Object.assign(options.headers ?? {}, { "content-type": req.contentType ?? "application/json" });
  return new Promise<T>((resolve, reject) => {
    const send = url.protocol === "https:" ? request : httpRequest;
    const r = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve((text ? JSON.parse(text) : undefined) as T);
        else reject(new KubeHttpError(status, text, `${req.method} ${req.path}`));
      });
      res.on("error", reject);
    });
    r.setTimeout(30_000, () => r.destroy(new Error(`${req.method} ${req.path} timed out`)));
    r.on("error", reject);
    r.end(payload);
  });
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

import type { CoreV1Api, V1ConfigMap } from "@kubernetes/client-node";
import { type KubeAccess, PARTIAL_OBJECT_METADATA, rawRequest, resourcePath } from "../../common/kube/raw-client.ts";

/**
 * The three calls the idempotency and settings stores make on ConfigMaps. Preferably over raw JSON
 * with a KubeAccess (what the service does: it never loads client-node). NB: client-node 2.0 builds a
 * new undici Agent for every request, so each call pays a TLS handshake (measured ~25 ms per GET on
 * the bench plane); raw-client.ts keeps one pool per KubeAccess. The CoreV1Api form remains for
 * tests that hold only an API client.
 */
export interface ShardClient {
  /** undefined when the ConfigMap does not exist. */
  read(name: string): Promise<V1ConfigMap | undefined>;
  /** Rejects with an error whose status statusCodeOf reads (409: stale resourceVersion). */
  replace(map: V1ConfigMap): Promise<void>;
  create(map: V1ConfigMap): Promise<void>;
  /** The ConfigMap's resourceVersion, read as metadata only (a few hundred bytes however big it is); undefined when absent. */
  resourceVersion(name: string): Promise<string | undefined>;
}

export type ShardClientSource = { readonly kc: KubeAccess } | { readonly api: CoreV1Api };

/**
 * The HTTP status of a failed call, from either client (client-node's ApiException and raw-client's
 * KubeHttpError both carry it as a numeric `code`); undefined for network errors, whose codes are strings.
 */
export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

export function shardClient(source: ShardClientSource, namespace: string): ShardClient {
  if ("api" in source) return apiShardClient(source.api, namespace);
  const kc = source.kc;
  const path = (name?: string) => resourcePath("v1", "configmaps", namespace, name);
  return {
    async read(name) {
      try {
        return await rawRequest<V1ConfigMap>(kc, { method: "GET", path: path(name) });
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
    async replace(map) {
      await rawRequest(kc, { method: "PUT", path: path(map.metadata?.name), body: { apiVersion: "v1", kind: "ConfigMap", ...map } });
    },
    async create(map) {
      await rawRequest(kc, { method: "POST", path: path(), body: { apiVersion: "v1", kind: "ConfigMap", ...map } });
    },
    async resourceVersion(name) {
      try {
        const meta = await rawRequest<V1ConfigMap>(kc, { method: "GET", path: path(name), accept: PARTIAL_OBJECT_METADATA });
        return meta.metadata?.resourceVersion;
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
}

function apiShardClient(api: CoreV1Api, namespace: string): ShardClient {
  return {
    async read(name) {
      try {
        return await api.readNamespacedConfigMap({ name, namespace });
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
    async replace(map) {
      await api.replaceNamespacedConfigMap({ name: map.metadata?.name ?? "", namespace, body: map });
    },
    async create(map) {
      await api.createNamespacedConfigMap({ namespace, body: map });
    },
    async resourceVersion(name) {
      return (await this.read(name))?.metadata?.resourceVersion;
    },
  };
}

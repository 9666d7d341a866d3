// Where a pod's Secrets and ConfigMaps come from (the runner's informer caches), and the error for
// one that is missing: like kubelet, the runner then waits (retries) instead of starting the pod.
import type { V1ConfigMap, V1Secret } from "@kubernetes/client-node";

export interface ObjectSources {
  secret(namespace: string, name: string): V1Secret | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
}

export class MissingSourceError extends Error {
  readonly code = "MissingSource";
  constructor(what: string) {
    super(`${what} does not exist (yet)`);
    this.name = "MissingSourceError";
  }
}

/** A Secret's entries as bytes (its data is base64). */
export function secretEntries(secret: V1Secret): Map<string, Buffer> {
  return new Map(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")]));
}

/** A ConfigMap's entries as bytes (data is text, binaryData base64). */
export function configMapEntries(cm: V1ConfigMap): Map<string, Buffer> {
  const out = new Map(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "utf8")]));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, "base64"));
  return out;
}

/** The entries of the Secret or ConfigMap a reference names; undefined when it is missing. */
export function referencedEntries(
  sources: ObjectSources,
  namespace: string,
  kind: "Secret" | "ConfigMap",
  name: string,
): Map<string, Buffer> | undefined {
  if (kind === "Secret") {
    const s = sources.secret(namespace, name);
    return s && secretEntries(s);
  }
  const c = sources.configMap(namespace, name);
  return c && configMapEntries(c);
}

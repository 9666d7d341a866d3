// A container's environment as kubelet would build it (envFrom, then env with $(VAR) expansion,
// downward-API fieldRefs, Secret and ConfigMap keys), then made local: a value that points into a
// volumeMount's mountPath (e.g. ZOOM_CREDENTIALS_DIR=/var/run/zoom/credentials) is rewritten to the
// directory the runner materialised that volume in. Pure: no I/O.
import type { V1Container, V1EnvVarSource, V1Pod } from "@kubernetes/client-node";
import { MissingSourceError, type ObjectSources, referencedEntries } from "./sources.ts";

export interface EnvInput {
  readonly pod: V1Pod;
  readonly container: V1Container;
  readonly sources: ObjectSources;
  /** mountPath -> local directory, for each of the container's volumeMounts. */
  readonly mounts: ReadonlyMap<string, string>;
}

/** `metadata.labels['app']` style paths of the downward API. */
const MAP_FIELD = /^metadata\.(labels|annotations)\['(.+)'\]$/;

export function fieldValue(pod: V1Pod, fieldPath: string): string {
  const m = MAP_FIELD.exec(fieldPath);
  if (m) return (m[1] === "labels" ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2] ?? ""] ?? "";
  const fields: Record<string, string | undefined> = {
    "metadata.name": pod.metadata?.name,
    "metadata.namespace": pod.metadata?.namespace,
    "metadata.uid": pod.metadata?.uid,
    "spec.nodeName": pod.spec?.nodeName,
    "spec.serviceAccountName": pod.spec?.serviceAccountName,
    "status.hostIP": pod.status?.hostIP,
    "status.podIP": pod.status?.podIP,
    "status.hostIPs": pod.status?.hostIPs?.map((a) => a.ip).join(","),
    "status.podIPs": pod.status?.podIPs?.map((a) => a.ip).join(","),
  };
  if (!(fieldPath in fields)) throw new Error(`downward API field ${fieldPath} is not supported by the pod runner`);
  return fields[fieldPath] ?? "";
}

/** `$(VAR)` becomes VAR's value when defined earlier, `$$` becomes `$` (kubelet's expansion rules). */
export function expand(value: string, defined: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return "$";
    return Object.hasOwn(defined, name) ? (defined[name] ?? "") : whole;
  });
}

/** Replaces the longest mountPath that `value` starts with (on a path boundary) by its local directory. */
export function rewriteMountPaths(value: string, mounts: ReadonlyMap<string, string>): string {
  const byLength = [...mounts.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [mountPath, local] of byLength) {
    const base = mountPath.replace(/\/+$/, "");
    if (value === base || value.startsWith(`${base}/`)) return local + value.slice(base.length);
  }
  return value;
}

function fromSource(input: EnvInput, name: string, source: V1EnvVarSource): string | undefined {
  const namespace = input.pod.metadata?.namespace ?? "";
  if (source.fieldRef) return fieldValue(input.pod, source.fieldRef.fieldPath);
  const ref = source.secretKeyRef ?? source.configMapKeyRef;
  if (ref) {
    const kind = source.secretKeyRef ? "Secret" : "ConfigMap";
    const value = referencedEntries(input.sources, namespace, kind, ref.name ?? "")?.get(ref.key);
    if (value === undefined && !ref.optional) throw new MissingSourceError(`${kind} ${namespace}/${ref.name} key ${ref.key} (env ${name})`);
    return value?.toString("utf8");
  }
  if (source.resourceFieldRef) {
    // NB: approximate: the raw quantity, without kubelet's divisor arithmetic or node-capacity fallback.
    const [kind, resource] = source.resourceFieldRef.resource.split(".") as [string, string];
    const values = kind === "limits" ? input.container.resources?.limits : input.container.resources?.requests;
    return String(values?.[resource] ?? "");
  }
  return undefined;
}

/** The container's env, with mount paths made local. Throws MissingSourceError for a required missing ref. */
export function containerEnv(input: EnvInput): Record<string, string> {
  const namespace = input.pod.metadata?.namespace ?? "";
  const env: Record<string, string> = {};
  for (const from of input.container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const kind = from.secretRef ? "Secret" : "ConfigMap";
    const values = referencedEntries(input.sources, namespace, kind, ref.name ?? "");
    if (!values && !ref.optional) throw new MissingSourceError(`${kind} ${namespace}/${ref.name} (envFrom)`);
    for (const [key, value] of values ?? []) if (!key.includes("=")) env[`${from.prefix ?? ""}${key}`] = value.toString("utf8");
  }
  for (const v of input.container.env ?? []) {
    const value = v.valueFrom ? fromSource(input, v.name, v.valueFrom) : expand(v.value ?? "", env);
    if (value !== undefined) env[v.name] = value;
  }
  for (const [k, v] of Object.entries(env)) env[k] = rewriteMountPaths(v, input.mounts);
  return env;
}

// Decides whether a child must be (re)applied: "no write when nothing changed". The desired object
// carries a hash of itself in an annotation (so removing a field from the desired state is noticed),
// and the live object must contain every desired field with the same value (so a hand edit of a
// field we own is noticed and repaired). Fields the server or others add are ignored.
import { createHash } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import { canonicalJson } from "../../common/canonical-json.ts";

export const HASH_ANNOTATION = "bookingops.dev/desired-hash";

/** What the API server's JSON encoding omits (Go `omitempty`): absent live fields equal these. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

/** True when every field of `desired` is present in `live` with an equal value (arrays element-wise). */
export function containsDesired(desired: unknown, live: unknown): boolean {
  if (live === undefined || live === null) return isEmpty(desired);
  if (live instanceof Date) return typeof desired === "string" && new Date(desired).getTime() === live.getTime();
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => containsDesired(d, live[i]));
  }
  if (desired !== null && typeof desired === "object") {
    if (typeof live !== "object" || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => containsDesired(v, l[k]));
  }
  return desired === live;
}

export function hashOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 20);
}

/** Secrets are compared as `data` (the server turns stringData into data). */
function normaliseSecret(obj: KubernetesObject & { stringData?: Record<string, string>; data?: Record<string, string> }): KubernetesObject {
  if (obj.kind !== "Secret" || !obj.stringData) return obj;
  const data = { ...obj.data };
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(v, "utf8").toString("base64");
  const { stringData: _dropped, ...rest } = obj;
  return { ...rest, data } as KubernetesObject;
}

/** The object to apply: normalised, with the hash annotation of its own content. */
export function withDesiredHash(obj: KubernetesObject): KubernetesObject {
  const normal = normaliseSecret(obj);
  const hash = hashOf(normal);
  const metadata = { ...normal.metadata, annotations: { ...normal.metadata?.annotations, [HASH_ANNOTATION]: hash } };
  return { ...normal, metadata };
}

/** True when `live` (from the informer cache) already satisfies `desired` (from withDesiredHash). */
export function upToDate(desired: KubernetesObject, live: KubernetesObject | undefined): boolean {
  if (!live) return false;
  // NB: items of a list response carry no apiVersion/kind; the cache key already fixes both.
  const { metadata, apiVersion: _v, kind: _k, ...body } = desired;
  const liveMeta = live.metadata ?? {};
  const metaOk =
    containsDesired(metadata?.labels ?? {}, liveMeta.labels) &&
    containsDesired(metadata?.annotations ?? {}, liveMeta.annotations) &&
    containsDesired(metadata?.ownerReferences ?? [], liveMeta.ownerReferences);
  return metaOk && containsDesired(body, live);
}

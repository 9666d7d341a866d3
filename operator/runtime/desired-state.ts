// Decides whether a child must be (re)applied, the way server-side apply itself sees the object, so
// that drift is repaired and a no-op is never sent. The rule, walking the desired object together
// with the field set of our Apply entry in the live object's metadata.managedFields:
// - every desired field must still be ours: the API server takes a field out of our set when another
//   manager changes it or anyone removes it (so a falsy field removed by hand is noticed);
// - a field owned as a leaf of the set (a scalar, an atomic list or struct such as args or a
//   selector) is compared whole, by value: quantities by amount (the server stores 0.5 as 500m), and
//   an absent live field equals an empty desired one (the server omits empty values, Go `omitempty`,
//   e.g. readOnly: false; it is still ours, so nobody removed it);
// - a list owned entry by entry (containers by name, env by name, ports by port and protocol...)
//   compares only our entries, matched by the merge key the set names; other managers' entries are
//   ignored. Maps and structs compare field by field, so others' labels or fields are ignored too.
// The desired object also carries a hash of itself in an annotation, so a field dropped from the
// desired state (which the walk cannot see) changes a field we own.
// NB: this needs metadata.managedFields in the informer cache: without them nothing is ours and
// every reconcile applies.
import { createHash } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../../common/api/constants.ts";
import { canonicalJson } from "../../common/canonical-json.ts";
import { quantityValue } from "../../common/kube/quantity.ts";

export const HASH_ANNOTATION = "bookingops.dev/desired-hash";

/** A managedFields `fieldsV1` set: `f:<field>`, `k:<merge key JSON>`, `v:<value JSON>`, `.` (the node itself). */
type FieldSet = { readonly [member: string]: FieldSet };
type Json = Record<string, unknown>;

/** Merge-key fields the API server defaults before keying a list entry (a container port's protocol). */
const KEY_DEFAULTS: Readonly<Json> = { protocol: "TCP" };

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** What the API server's JSON encoding omits (Go `omitempty`). */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** resources.requests/limits and emptyDir.sizeLimit hold quantities; other strings compare as strings. */
function isQuantityField(path: readonly string[]): boolean {
  const [resources, bound] = path.slice(-3, -1);
  return path.at(-1) === "sizeLimit" || (resources === "resources" && (bound === "requests" || bound === "limits"));
}

function sameQuantity(desired: string | number, live: string | number): boolean {
  const [d, l] = [quantityValue(desired), quantityValue(live)];
  if (Number.isNaN(d) || Number.isNaN(l)) return desired === live;
  // NB: a float product (0.1Gi) can differ in its last bits from the server's canonical form.
  return Math.abs(d - l) <= 1e-12 * Math.max(Math.abs(d), Math.abs(l));
}

/** A value owned whole: lists element by element, objects by their desired fields, omitted empties equal. */
function sameWhole(desired: unknown, live: unknown, path: readonly string[]): boolean {
  if (live === undefined || live === null) return isEmpty(desired);
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => sameWhole(d, live[i], path));
  }
  if (isObject(desired)) return isObject(live) && Object.entries(desired).every(([k, v]) => sameWhole(v, live[k], [...path, k]));
  const quantities = (typeof desired === "string" || typeof desired === "number") && (typeof live === "string" || typeof live === "number");
  if (quantities && isQuantityField(path)) return sameQuantity(desired, live);
  return desired === live;
}

/** `spec.template.spec.containers[{"name":"service"}].image`: field names, and merge keys for list entries. */
const show = (path: readonly string[]) =>
  path.reduce((text, segment) => (segment.startsWith("[") || !text ? text + segment : `${text}.${segment}`), "");

/** The first difference between a desired value and the live one, given the part of our set at this node. */
function drift(desired: unknown, live: unknown, owned: FieldSet, path: readonly string[]): string | undefined {
  if (Object.keys(owned).length === 0) return sameWhole(desired, live, path) ? undefined : `${show(path)} differs`;
  if (Array.isArray(desired)) return listDrift(desired, Array.isArray(live) ? live : [], owned, path);
  if (!isObject(desired)) return `${show(path)} is owned field by field but desired as a scalar`;
  for (const [field, value] of Object.entries(desired)) {
    if (value === undefined) continue; // not sent
    const ownedField = owned[`f:${field}`];
    if (!ownedField) return `${show([...path, field])} is not ours`;
    const found = drift(value, isObject(live) ? live[field] : undefined, ownedField, [...path, field]);
    if (found) return found;
  }
  return undefined;
}

/** Our entries of a list owned entry by entry, each matched to the live entry with the same key. */
function listDrift(desired: readonly unknown[], live: readonly unknown[], owned: FieldSet, path: readonly string[]): string | undefined {
  const keys = Object.keys(owned)
    .filter((m) => m.startsWith("k:"))
    .map((m) => ({ key: JSON.parse(m.slice(2)) as Json, fields: owned[m] ?? {} }));
  for (const entry of desired) {
    if (!isObject(entry)) {
      const ownedValue = owned[`v:${JSON.stringify(entry)}`];
      if (!ownedValue || !live.includes(entry)) return `${show(path)} entry ${JSON.stringify(entry)} is not ours or missing`;
      continue;
    }
    const matches = (key: Json) => (item: unknown) =>
      isObject(item) && Object.entries(key).every(([k, v]) => (item[k] ?? KEY_DEFAULTS[k]) === v);
    const ours = keys.find(({ key }) => matches(key)(entry));
    const entryPath = [...path, `[${JSON.stringify(ours?.key ?? entry)}]`];
    if (!ours) return `${show(entryPath)} is not ours`;
    const liveEntry = live.find(matches(ours.key));
    if (!liveEntry) return `${show(entryPath)} is missing`;
    const found = drift(entry, liveEntry, ours.fields, entryPath);
    if (found) return found;
  }
  return undefined;
}

/** The fields our last server-side apply of this object's version owns. */
function appliedFields(live: KubernetesObject, apiVersion: string | undefined): FieldSet | undefined {
  const entry = live.metadata?.managedFields?.find((m) => m.manager === FIELD_MANAGER && m.operation === "Apply" && !m.subresource);
  // NB: field sets are per version; one of another version is converted by our next apply.
  if (!entry || entry.apiVersion !== apiVersion || entry.fieldsType !== "FieldsV1") return undefined;
  return (entry.fieldsV1 ?? {}) as FieldSet;
}

/** The desired fields that server-side apply tracks: not apiVersion, kind, name or namespace. */
function trackedFields(desired: KubernetesObject): Json {
  const { apiVersion: _v, kind: _k, metadata, ...body } = desired;
  const { labels, annotations, ownerReferences } = metadata ?? {};
  const meta = Object.fromEntries(Object.entries({ labels, annotations, ownerReferences }).filter(([, v]) => v !== undefined));
  return Object.keys(meta).length > 0 ? { metadata: meta, ...body } : body;
}

/** Why `live` (from the informer cache) does not satisfy `desired` (from withDesiredHash); undefined when it does. */
export function driftOf(desired: KubernetesObject, live: KubernetesObject | undefined): string | undefined {
  if (!live) return "the object does not exist";
  const owned = appliedFields(live, desired.apiVersion);
  if (!owned) return `no ${desired.apiVersion} Apply entry of ${FIELD_MANAGER} in managedFields`;
  // NB: items of a list response carry no apiVersion/kind; the cache key already fixes both.
  return drift(trackedFields(desired), live, owned, []);
}

/** True when `live` already satisfies `desired`: applying it would be a no-op. */
export function upToDate(desired: KubernetesObject, live: KubernetesObject | undefined): boolean {
  return driftOf(desired, live) === undefined;
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

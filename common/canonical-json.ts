// Canonical JSON: object keys sorted at every level and undefined members dropped, so the same
// value always gives the same text (hashes, fingerprints, comparisons, rendered manifests).
// NB: safe-stable-stringify (already in the tree through pino) instead of a hand-written walker:
// it is well tested, fast, and throws on circular values instead of looping.
import { configure } from "safe-stable-stringify";

const stringify = configure({ deterministic: true, circularValue: Error, bigint: true });

/** Canonical JSON text of `value` (Dates as ISO strings, like JSON.stringify). */
export function canonicalJson(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return stringify(value, replacer as never) ?? "null";
}

/** A copy of `value` whose objects have their keys in canonical order (e.g. for YAML output). */
export function canonicalCopy<T>(value: T, replacer?: (key: string, value: unknown) => unknown): T {
  return JSON.parse(canonicalJson(value, replacer)) as T;
}

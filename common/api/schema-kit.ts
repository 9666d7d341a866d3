// Building blocks that keep the zod schema the single source of truth: every Kubernetes-only
// keyword (CEL rules, list types, int-or-string) is attached as zod metadata, which
// z.toJSONSchema copies into the CRD, and each CEL rule carries the TypeScript check that the
// operator runs again on what it reads (defence in depth). A rule written here exists in both.
import { z } from "zod";
import { QUANTITY_PATTERN } from "../kube/quantity.ts";

/** One entry of `x-kubernetes-validations` (apiextensions.k8s.io/v1 ValidationRule). */
export interface CelRule {
  /** CEL expression; `self` is the value of the field the rule sits on. */
  readonly rule: string;
  /** Shown by the API server after the field path; a sentence a platform engineer can act on. */
  readonly message: string;
  /** Child path the error names (e.g. `.clientSecretKey`) when the rule sits on a parent. */
  readonly fieldPath?: string;
  readonly reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

const VALIDATIONS = "x-kubernetes-validations";

function celRulesOf(schema: z.ZodType): CelRule[] {
  const existing = schema.meta()?.[VALIDATIONS];
  return Array.isArray(existing) ? (existing as CelRule[]) : [];
}

/** `.fieldPath` (`.a.b`) as a zod issue path, so both layers name the same field. */
function zodPath(fieldPath: string | undefined): string[] {
  return fieldPath ? fieldPath.split(".").filter((part) => part !== "") : [];
}

/**
 * Adds a CEL rule for the API server and the equivalent TypeScript `check` for the operator.
 * NB: apply it to the inner schema, before `.optional()` / `.default()`, as the API server does:
 * rules only run on values that are present.
 */
export function withRule<T extends z.ZodType>(
  schema: T,
  rule: CelRule,
  check: (value: z.output<T>) => boolean,
  issuePath: readonly string[] = zodPath(rule.fieldPath),
): T {
  const refined = schema.refine(check, { message: rule.message, path: [...issuePath] });
  return refined.meta({ [VALIDATIONS]: [...celRulesOf(schema), { reason: "FieldValueInvalid", ...rule }] }) as T;
}

/** A CEL rule together with its TypeScript twin. */
export interface CheckedRule<T> extends CelRule {
  readonly check: (value: T) => boolean;
  /**
   * The path zod reports, when CEL cannot say it with `fieldPath` (a root rule about
   * metadata.name: the CRD schema declares no metadata fields to point at).
   */
  readonly issuePath?: readonly string[];
}

/** `withRule` for several rules at once, in order. */
export function withRules<T extends z.ZodType>(schema: T, rules: readonly CheckedRule<z.output<T>>[]): T {
  return rules.reduce((acc, { check, issuePath, ...rule }) => withRule(acc, rule, check, issuePath), schema);
}

function firstDuplicate<T>(items: readonly T[], keyOf: (item: T) => unknown): number {
  const seen = new Set<unknown>();
  return items.findIndex((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

/** A list of unique scalars (`x-kubernetes-list-type: set`): server-side apply merges by value. */
export function setOf<T extends z.ZodType>(item: T, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine((items, ctx) => {
      const at = firstDuplicate(items, (value) => value);
      if (at >= 0) ctx.addIssue({ code: "custom", path: [at], message: `duplicate value ${JSON.stringify(items[at])}` });
    })
    .meta({ "x-kubernetes-list-type": "set" });
}

/** A list replaced as a whole by server-side apply (`x-kubernetes-list-type: atomic`). */
export function atomicListOf<T extends z.ZodType>(item: T, maxItems: number) {
  return z.array(item).max(maxItems).meta({ "x-kubernetes-list-type": "atomic" });
}

/** A list of objects keyed by `key` (`x-kubernetes-list-type: map`), like metav1.Condition lists. */
export function mapListOf<T extends z.ZodObject>(item: T, key: keyof z.output<T> & string, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine((items, ctx) => {
      const at = firstDuplicate(items, (value) => (value as Record<string, unknown>)[key]);
      if (at >= 0) ctx.addIssue({ code: "custom", path: [at, key], message: `duplicate ${key}` });
    })
    .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [key] });
}

// The Kubernetes names the API refers to. NB: patterns must be valid RE2 (the API server's Go
// regexp) as well as ECMAScript: no lookaround, no backreferences.
const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
export const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
export const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** The name of an object in the ZoomIntegration's namespace (a DNS-1123 subdomain). */
export function objectName(description: string) {
  return z
    .string()
    .min(1)
    .max(253)
    .regex(DNS_SUBDOMAIN, "must be a lowercase DNS-1123 subdomain (a-z, 0-9, '-' and '.')")
    .describe(description);
}

/** A key inside a Secret's data. */
export function secretKey(description: string) {
  return z
    .string()
    .min(1)
    .max(253)
    .regex(SECRET_KEY, "must be a valid Secret key (letters, digits, '-', '_' and '.')")
    .describe(description);
}

/** A resource.Quantity: `cpu: 1` (a YAML integer) and `cpu: 500m` are both accepted. */
export function quantity(description: string) {
  return z
    .union([z.int().min(0), z.string().max(64).regex(new RegExp(QUANTITY_PATTERN), "must be a Kubernetes quantity such as 500m or 128Mi")])
    .meta({ "x-kubernetes-int-or-string": true, description });
}

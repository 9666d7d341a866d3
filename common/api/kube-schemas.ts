// Kubernetes shapes the ZoomIntegration embeds, with the same limits as their Go definitions
// (metav1.Condition, metav1.LabelSelector), so tools that know those types read ours unchanged.
import { z } from "zod";
import { atomicListOf, mapListOf, withRule } from "./schema-kit.ts";

/** metav1.Condition, field for field (k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
export const Condition = z
  .object({
    type: z
      .string()
      .min(1)
      .max(316)
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
      .describe("Type of condition in CamelCase: Ready, CredentialsValid, ServiceAvailable, Routed or Connected."),
    status: z.enum(["True", "False", "Unknown"]).describe("Status of the condition: True, False or Unknown."),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe("The metadata.generation the condition was set from; older than the object's generation means stale."),
    lastTransitionTime: z.iso.datetime({ offset: true }).describe("Last time the condition changed from one status to another (RFC 3339)."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe("Programmatic identifier of the last transition, in CamelCase; stable across versions."),
    message: z.string().max(32768).describe("Human-readable details about the last transition; may be empty."),
  })
  .describe("A metav1.Condition: the observed state of one aspect of the ZoomIntegration.");
export type Condition = z.output<typeof Condition>;

/** Conditions keyed by `type`, so server-side apply merges them one by one. */
export const Conditions = mapListOf(Condition, "type", 32);

const SelectorRequirement = withRule(
  z
    .object({
      key: z.string().min(1).max(317).describe("The label key the selector applies to."),
      operator: z
        .enum(["In", "NotIn", "Exists", "DoesNotExist"])
        .describe("How the key relates to the values: In, NotIn, Exists or DoesNotExist."),
      values: atomicListOf(z.string().max(63), 64)
        .optional()
        .describe("Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist."),
    })
    .describe("A label selector requirement (metav1.LabelSelectorRequirement)."),
  {
    rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
    message: "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist",
    fieldPath: ".values",
  },
  (req) => (req.operator === "In" || req.operator === "NotIn") === (req.values?.length ?? 0) > 0,
);

/** metav1.LabelSelector: an empty selector selects every pod of the namespace. */
export const LabelSelector = z
  .strictObject({
    matchLabels: z
      .record(z.string().min(1).max(317), z.string().max(63))
      .optional()
      .describe("Labels a pod must carry, as key: value pairs (ANDed with matchExpressions)."),
    matchExpressions: atomicListOf(SelectorRequirement, 32).optional().describe("Label selector requirements, ANDed with matchLabels."),
  })
  .describe("A metav1.LabelSelector.");

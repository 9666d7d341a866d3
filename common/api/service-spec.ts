// The parts of the spec that shape the tenant's service: who may call it, how it runs, where Zoom is.
import { z } from "zod";
import { LabelSelector } from "./kube-schemas.ts";
import { quantityValue } from "../kube/quantity.ts";
import { type CheckedRule, quantity, withRule, withRules } from "./schema-kit.ts";

export const Clients = z
  .strictObject({
    podSelector: LabelSelector.prefault({}).describe(
      "Pods in the ZoomIntegration's namespace that may reach the service's internal API port " +
        "(enforced by a NetworkPolicy). Empty, the default, selects every pod of the namespace; " +
        "callers still need the bearer token from status.apiTokenSecretName.",
    ),
  })
  .describe("Who may call the in-cluster API for the booking app.");

// NB: Kubernetes refuses a Deployment whose request exceeds its limit; say so at apply time
// instead of letting the operator discover it while reconciling.
const notAboveLimit = (resource: "cpu" | "memory"): CheckedRule<ResourcesValue> => ({
  rule:
    // NB: has() guards everything, as the API server also checks the rule against the bare `{}` default.
    `!has(self.requests) || !has(self.limits) || !has(self.requests.${resource}) || !has(self.limits.${resource}) || ` +
    `quantity(string(self.requests.${resource})).compareTo(quantity(string(self.limits.${resource}))) <= 0`,
  message: `requests.${resource} must not exceed limits.${resource}`,
  fieldPath: `.requests.${resource}`,
  check: (r) => r.limits[resource] === undefined || quantityValue(r.requests[resource]) <= quantityValue(r.limits[resource]),
});

const ResourcesShape = z
  .strictObject({
    requests: z
      .strictObject({
        cpu: quantity("CPU request.").default("50m"),
        memory: quantity("Memory request.").default("96Mi"),
      })
      .prefault({})
      .describe("Resources the scheduler reserves for each pod."),
    limits: z
      .strictObject({
        cpu: quantity("CPU limit; none by default, so the pod is throttled rather than starved.").optional(),
        memory: quantity("Memory limit.").default("256Mi"),
      })
      .prefault({})
      .describe("Resources a pod may not exceed."),
  })
  .describe("Compute resources of each service pod.");
type ResourcesValue = z.output<typeof ResourcesShape>;

const Resources = withRules(ResourcesShape, [notAboveLimit("cpu"), notAboveLimit("memory")]);

// Extra labels for the service's pods (a service mesh, cost allocation, a policy engine's opt-in).
// NB: the selector labels are the Deployment's identity and stay the operator's.
const RESERVED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance"] as const;
const PodLabels = withRule(
  z
    .record(
      z
        .string()
        .min(1)
        .max(317)
        .regex(
          /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
          "must be a label key such as example.com/team",
        ),
      z
        .string()
        .max(63)
        .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, "must be a label value"),
    )
    .describe(
      "Extra labels on the service's pods, e.g. for a service mesh or cost allocation. " +
        "app.kubernetes.io/name and app.kubernetes.io/instance are reserved (they select the pods).",
    ),
  {
    rule: RESERVED_LABELS.map((l) => `!('${l}' in self)`).join(" && "),
    message: `must not set the reserved selector labels ${RESERVED_LABELS.join(", ")}`,
  },
  (labels) => RESERVED_LABELS.every((l) => !(l in labels)),
);

export const Service = z
  .strictObject({
    // NB: replicas coordinate token refreshes through one lock per grant; a handful is plenty for
    // one tenant, and 0 would break the OAuth redirect that Zoom calls.
    replicas: z.int().min(1).max(10).default(2).describe("Number of service pods (1 to 10)."),
    image: z
      .string()
      .min(1)
      .max(512)
      .regex(/^[^\s]+$/, "must be an image reference without spaces")
      .optional()
      .describe("Container image of the service; the operator's own image when omitted."),
    resources: Resources.prefault({}),
    podLabels: PodLabels.optional(),
  })
  .describe("The tenant's service Deployment: the OAuth redirect, the webhook and the booking app's API.");

// NB: plain http is allowed only for loopback and in-cluster Service hosts (the Zoom emulator in
// tests), so the client secret never crosses a network in clear text.
const ZoomUrl = (what: string, fallback: string) =>
  withRule(
    z
      .string()
      .min(1)
      .max(256)
      .regex(/^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/, "must be an http(s) URL without query, user or fragment"),
    {
      rule: "self.startsWith('https://') || self.matches('^http://(localhost|127[.][0-9.]+|[a-z0-9.-]+[.]svc([.]cluster[.]local)?)(:[0-9]+)?(/|$)')",
      message: "must use https, unless the host is loopback or an in-cluster Service (an emulator)",
    },
    (url) =>
      url.startsWith("https://") || /^http:\/\/(localhost|127[.][0-9.]+|[a-z0-9.-]+[.]svc([.]cluster[.]local)?)(:[0-9]+)?(\/|$)/.test(url),
  )
    .default(fallback)
    .describe(`${what}; override only to point at a Zoom emulator.`);

export const Zoom = z
  .strictObject({
    oauthBaseUrl: ZoomUrl("Base URL of Zoom's OAuth endpoints (/oauth/authorize, /oauth/token)", "https://zoom.us"),
    apiBaseUrl: ZoomUrl("Base URL of Zoom's REST API (/v2/...)", "https://api.zoom.us"),
  })
  .describe("Where Zoom is.");

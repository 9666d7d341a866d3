// The ZoomIntegration CustomResourceDefinition, built from the zod schema (pure: no I/O).
// scripts/generate.ts writes it to crds/; the cluster test harness installs that file.
import { z } from "zod";
import {
  API_VERSION,
  CATEGORIES,
  ConditionType,
  CRD_NAME,
  GROUP,
  KIND,
  LIST_KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  VERSION,
} from "./constants.ts";
import { type SchemaNode, toStructural } from "./structural-schema.ts";
import { ZoomIntegration, ZoomIntegrationSpec, ZoomIntegrationStatus } from "./zoom-integration.ts";

/** The structural OpenAPI schema of one zod schema, as the CRD embeds it. */
export function openApiSchema(schema: z.ZodType): SchemaNode {
  // NB: "input" makes fields with defaults optional, as a manifest may omit them; the API server
  // fills them in from `default`.
  return toStructural(z.toJSONSchema(schema, { io: "input", unrepresentable: "throw" }) as SchemaNode);
}

const conditionStatus = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;

/** What `kubectl get zoomintegrations` shows; Reason only with `-o wide`. */
export const PRINTER_COLUMNS = [
  { name: "Domain", type: "string", jsonPath: ".spec.domain", description: "The tenant's domain." },
  { name: "Ready", type: "string", jsonPath: conditionStatus(ConditionType.Ready), description: "Platform side ready." },
  {
    name: "Connected",
    type: "string",
    jsonPath: conditionStatus(ConditionType.Connected),
    description: "A Zoom admin has consented.",
  },
  {
    name: "Redirect URL",
    type: "string",
    jsonPath: ".status.redirectUrl",
    description: "OAuth redirect URL for the Zoom Marketplace.",
  },
  {
    name: "Reason",
    type: "string",
    jsonPath: `.status.conditions[?(@.type=="${ConditionType.Ready}")].reason`,
    priority: 1,
    description: "Why Ready is what it is.",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
];

/** The top of the openAPIV3Schema: the Kubernetes envelope around the zod spec and status. */
export function rootSchema(): SchemaNode {
  const rules = ZoomIntegration.meta()?.["x-kubernetes-validations"];
  return {
    type: "object",
    description: ZoomIntegration.description,
    required: ["spec"],
    properties: {
      apiVersion: { type: "string", description: `APIVersion of this object: ${API_VERSION}.` },
      kind: { type: "string", description: `Kind of this object: ${KIND}.` },
      // NB: the API server forbids anything but name/generateName restrictions here, even a description.
      metadata: { type: "object" },
      spec: openApiSchema(ZoomIntegrationSpec),
      status: openApiSchema(ZoomIntegrationStatus),
    },
    ...(rules ? { "x-kubernetes-validations": rules } : {}),
  };
}

/** The CustomResourceDefinition object, ready to serialise to YAML. */
export function buildCrd() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: CRD_NAME, labels: { "app.kubernetes.io/name": "zoom-integration-operator" } },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        kind: KIND,
        listKind: LIST_KIND,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: [...CATEGORIES],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          // `kubectl get zi -A --field-selector spec.domain=acme.example` finds a tenant's CR.
          selectableFields: [{ jsonPath: ".spec.domain" }],
          schema: { openAPIV3Schema: rootSchema() },
        },
      ],
    },
  };
}

// values.schema.json of the Helm chart: Helm checks the values against it on install, upgrade,
// template and lint, so a typo or a wrong type fails before anything reaches the API server.
// NB: the same limits as props.ts (resolveInstallProps), which the chart's own render is checked by.

const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;
const dnsLabel = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 } as const;
const quantity = { type: ["string", "number"] } as const;
const quantities = { type: "object", additionalProperties: false, properties: { cpu: quantity, memory: quantity } } as const;
const labelSelector = {
  type: "object",
  additionalProperties: false,
  properties: {
    matchLabels: stringMap,
    matchExpressions: {
      type: "array",
      items: {
        type: "object",
        required: ["key", "operator"],
        properties: {
          key: { type: "string" },
          operator: { enum: ["In", "NotIn", "Exists", "DoesNotExist"] },
          values: { type: "array", items: { type: "string" } },
        },
      },
    },
  },
} as const;
const toggle = (description: string) =>
  ({ type: "object", additionalProperties: false, description, properties: { enabled: { type: "boolean" } } }) as const;

export const VALUES_SCHEMA = {
  $schema: "https://json-schema.org/draft-07/schema#",
  type: "object",
  additionalProperties: false,
  required: ["image", "namespace", "replicas", "heapPercentage", "resources"],
  properties: {
    image: { type: "string", pattern: "^\\S+$" },
    namespace: dnsLabel,
    createNamespace: { type: "boolean" },
    watchNamespaces: { type: "array", items: dnsLabel, uniqueItems: true },
    replicas: { type: "integer", minimum: 1, maximum: 10 },
    heapPercentage: { type: "number", minimum: 10, maximum: 90 },
    resources: { type: "object", additionalProperties: false, properties: { requests: quantities, limits: quantities } },
    labels: stringMap,
    podAnnotations: stringMap,
    priorityClassName: { type: "string" },
    nodeSelector: stringMap,
    tolerations: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        properties: {
          key: { type: "string" },
          operator: { enum: ["Exists", "Equal"] },
          value: { type: "string" },
          effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
          tolerationSeconds: { type: "integer" },
        },
      },
    },
    monitoring: {
      type: "object",
      additionalProperties: false,
      properties: {
        scrapers: {
          type: "object",
          additionalProperties: false,
          description: "who may reach each tenant service's metrics port through its NetworkPolicy",
          properties: { namespaceSelector: labelSelector, podSelector: labelSelector },
        },
        labels: stringMap,
        serviceMonitor: toggle("a ServiceMonitor for the operator's metrics Service"),
        podMonitor: toggle("a PodMonitor for every tenant service's metrics port"),
        prometheusRule: toggle("the alerting rules"),
        dashboard: toggle("the Grafana dashboard as a ConfigMap labelled grafana_dashboard=1"),
      },
    },
  },
} as const;

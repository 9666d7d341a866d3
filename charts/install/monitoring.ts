// The monitoring pack, for clusters that run the Prometheus Operator: a ServiceMonitor for the
// operator, a PodMonitor for every tenant's service, the alerting rules and a Grafana dashboard (a
// ConfigMap that Grafana's dashboard sidecar picks up by its grafana_dashboard label). Separate from
// the install bundle (dist/monitoring.yaml; off by default in the Helm chart): without the
// monitoring.coreos.com CRDs the first three objects would be refused.
import { METRICS_PORT_NAME, selectorLabels } from "../../common/tenant/names.ts";
import type { KubeObject } from "../tenant/render.ts";
import { grafanaDashboard } from "./monitoring-dashboard.ts";
import { alertGroups } from "./monitoring-rules.ts";
import { INSTALL_LABELS, OPERATOR_NAME, OPERATOR_SELECTOR } from "./install-chart.ts";
import { DEFAULT_NAMESPACE } from "./props.ts";

export const MONITORING_NAME = `${OPERATOR_NAME}-monitoring`;
export const DASHBOARD_NAME = `${OPERATOR_NAME}-dashboard`;
/** The label Grafana's dashboard sidecar (kube-prometheus-stack's default) looks for. */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** How often Prometheus scrapes: short enough for the 5- to 15-minute alert windows. */
const SCRAPE_INTERVAL = "30s";

export interface MonitoringProps {
  /** Where the monitoring objects live: the operator's namespace. @default DEFAULT_NAMESPACE */
  readonly namespace?: string;
  /** Extra labels on every object, e.g. the `release` label a Prometheus selects its monitors by. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The pack's four objects, keyed by what turns each on in the Helm chart. */
export function renderMonitoring(
  props: MonitoringProps = {},
): Record<"serviceMonitor" | "podMonitor" | "prometheusRule" | "dashboard", KubeObject> {
  const namespace = props.namespace ?? DEFAULT_NAMESPACE;
  const metadata = (name: string, extra: Record<string, string> = {}) => ({
    name,
    namespace,
    labels: { ...props.labels, ...extra, ...INSTALL_LABELS },
  });
  const service = selectorLabels("");
  return {
    serviceMonitor: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: metadata(OPERATOR_NAME),
      spec: {
        selector: { matchLabels: { ...OPERATOR_SELECTOR } },
        endpoints: [{ port: "metrics", path: "/metrics", interval: SCRAPE_INTERVAL }],
      },
    },
    podMonitor: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: metadata("zoom-integration-service"),
      spec: {
        // Tenants live in any namespace; the NetworkPolicy of each admits only the configured scrapers.
        namespaceSelector: { any: true },
        selector: { matchLabels: { "app.kubernetes.io/name": service["app.kubernetes.io/name"] as string } },
        podMetricsEndpoints: [{ port: METRICS_PORT_NAME, path: "/metrics", interval: SCRAPE_INTERVAL }],
      },
    },
    prometheusRule: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: metadata(MONITORING_NAME),
      spec: { groups: alertGroups() },
    },
    dashboard: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(DASHBOARD_NAME, { ...DASHBOARD_LABEL }),
      data: { "zoom-integration.json": `${JSON.stringify(grafanaDashboard(), null, 2)}\n` },
    },
  };
}

// The Grafana dashboard of the monitoring pack: one row for the operator, one for the tenants'
// services, each panel one PromQL query on the metrics the alerts use.
// NB: no `{{ }}` legend formats: the JSON goes through Helm's template engine unescaped.

interface Panel {
  readonly title: string;
  readonly expr: string;
  readonly unit?: string;
}

const OPERATOR_PANELS: readonly Panel[] = [
  { title: "Reconciles by result", expr: "sum by (result) (rate(zio_operator_reconciles_total[5m]))", unit: "ops" },
  { title: "Reconcile errors by reason", expr: 'sum by (reason) (rate(zio_operator_reconciles_total{result="error"}[5m]))', unit: "ops" },
  {
    title: "Reconcile duration p95",
    expr: "histogram_quantile(0.95, sum by (le) (rate(zio_operator_reconcile_duration_seconds_bucket[5m])))",
    unit: "s",
  },
  { title: "Work queue depth", expr: "max(zio_operator_queue_depth)" },
  { title: "Writes to the API server by kind", expr: "sum by (kind) (rate(zio_operator_writes_total[5m]))", unit: "ops" },
  { title: "Leader replicas", expr: "sum(zio_operator_leader)" },
];

const SERVICE_PANELS: readonly Panel[] = [
  { title: "API requests by status", expr: 'sum by (status) (rate(zio_service_http_requests_total{port="api"}[5m]))', unit: "reqps" },
  {
    title: "API latency p95 by namespace",
    expr: 'histogram_quantile(0.95, sum by (le, namespace) (rate(zio_service_http_request_duration_seconds_bucket{port="api"}[5m])))',
    unit: "s",
  },
  { title: "Token refreshes by result", expr: "sum by (result) (increase(zio_service_token_refreshes_total[1h]))" },
  { title: "Reauthorizations required", expr: "sum by (namespace) (increase(zio_service_reauthorization_required_total[1h]))" },
  {
    title: "Idempotency store fill by namespace",
    expr: "max by (namespace) (zio_service_idempotency_shard_fill_ratio)",
    unit: "percentunit",
  },
  { title: "OAuth callbacks by result", expr: "sum by (result) (increase(zio_service_oauth_callbacks_total[1h]))" },
];

const DATASOURCE_VARIABLE = "$" + "{datasource}";
const WIDTH = 8;
const HEIGHT = 8;

function panels(startId: number, startY: number, list: readonly Panel[]): object[] {
  return list.map((p, i) => ({
    id: startId + i,
    type: "timeseries",
    title: p.title,
    // Grafana variable syntax, not a template literal.
    datasource: { type: "prometheus", uid: DATASOURCE_VARIABLE },
    gridPos: { x: (i % 3) * WIDTH, y: startY + Math.floor(i / 3) * HEIGHT, w: WIDTH, h: HEIGHT },
    fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
    targets: [{ refId: "A", expr: p.expr }],
  }));
}

export function grafanaDashboard(): object {
  const row = (id: number, y: number, title: string) => ({ id, type: "row", title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 } });
  const serviceY = 1 + Math.ceil(OPERATOR_PANELS.length / 3) * HEIGHT;
  return {
    uid: "zoom-integration",
    title: "Zoom integration",
    tags: ["zoom-integration-operator"],
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    templating: {
      list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" }],
    },
    panels: [
      row(1, 0, "Operator"),
      ...panels(10, 1, OPERATOR_PANELS),
      row(2, serviceY, "Tenant services"),
      ...panels(30, serviceY + 1, SERVICE_PANELS),
    ],
  };
}

/** Every PromQL expression of the dashboard (for tests). */
export function dashboardQueries(): string[] {
  return [...OPERATOR_PANELS, ...SERVICE_PANELS].map((p) => p.expr);
}

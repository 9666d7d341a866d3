// The alerts that matter to whoever runs the operator, on the metrics of operator/metrics.ts and
// service/metrics.ts (the names are checked against both registries by monitoring.test.ts).
// NB: the tenant's metrics carry `namespace` and `pod` from the PodMonitor's target labels; a tenant
// is its namespace.

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "warning" | "critical" };
  readonly annotations: { readonly summary: string; readonly description: string };
}

const rule = (alert: string, expr: string, forDuration: string, severity: "warning" | "critical", summary: string, description: string) =>
  ({ alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } }) satisfies AlertRule;

export function alertGroups(): { name: string; rules: AlertRule[] }[] {
  return [
    {
      name: "zoom-integration-operator",
      rules: [
        rule(
          "ZoomIntegrationOperatorNoLeader",
          "sum(zio_operator_leader) < 1",
          "5m",
          "critical",
          "No operator replica holds the leader Lease",
          "No ZoomIntegration is reconciled: check the operator Deployment and its Lease.",
        ),
        rule(
          "ZoomIntegrationReconcileErrors",
          'sum by (reason) (rate(zio_operator_reconciles_total{result="error"}[10m])) > 0',
          "15m",
          "warning",
          "ZoomIntegrations fail to reconcile",
          "Reconciles keep failing with reason {{ $labels.reason }}: see the ZoomIntegrations' conditions and Events.",
        ),
        rule(
          "ZoomIntegrationOperatorWatchRestarts",
          "sum by (resource) (increase(zio_operator_informer_restarts_total[15m])) > 3",
          "0m",
          "warning",
          "The operator's watches keep failing",
          "The {{ $labels.resource }} watch restarted more than 3 times in 15 minutes: check the API server and the operator's RBAC.",
        ),
      ],
    },
    {
      name: "zoom-integration-service",
      rules: [
        rule(
          "ZoomConnectionNeedsReauthorization",
          "sum by (namespace) (increase(zio_service_reauthorization_required_total[30m])) > 0",
          "0m",
          "critical",
          "A Zoom connection needs to be authorized again",
          "Zoom refused a grant in {{ $labels.namespace }}: an admin must connect Zoom again in the booking app (the ZoomIntegration's status says so too).",
        ),
        rule(
          "ZoomTokenRefreshFailures",
          'sum by (namespace) (increase(zio_service_token_refreshes_total{result=~"failed|timeout"}[30m])) > 0',
          "15m",
          "warning",
          "Zoom token refreshes fail",
          "Refreshing Zoom tokens in {{ $labels.namespace }} fails (Zoom or the network): meetings will fail once the access tokens expire.",
        ),
        rule(
          "ZoomIdempotencyStoreNearLimit",
          "max by (namespace) (zio_service_idempotency_shard_fill_ratio) > 0.8",
          "10m",
          "warning",
          "The idempotency store is close to its size limit",
          "An idempotency shard in {{ $labels.namespace }} is {{ $value | humanizePercentage }} full: at 100% new meeting creates are refused (IDEMPOTENCY_STORE_UNAVAILABLE).",
        ),
        rule(
          "ZoomIdempotencyStoreRefusals",
          "sum by (namespace, reason) (increase(zio_service_idempotency_store_refusals_total[10m])) > 0",
          "0m",
          "critical",
          "Meeting requests are refused by the idempotency store",
          "Requests in {{ $labels.namespace }} were refused with IDEMPOTENCY_STORE_UNAVAILABLE ({{ $labels.reason }}).",
        ),
        rule(
          // ZOOM_DAILY_LIMIT is the API's only 429 (service/errors.ts); ZOOM_RATE_LIMITED shares 503 with others.
          "ZoomDailyRateLimitReached",
          'sum by (namespace) (increase(zio_service_http_requests_total{port="api",status="429"}[15m])) > 0',
          "0m",
          "warning",
          "A Zoom host reached its daily meeting limit",
          "The booking app in {{ $labels.namespace }} got ZOOM_DAILY_LIMIT: a host used Zoom's 100 meeting creates/updates for the UTC day.",
        ),
        rule(
          "ZoomServiceUnavailableAnswers",
          'sum by (namespace) (rate(zio_service_http_requests_total{port="api",status="503"}[10m])) > 0.05',
          "10m",
          "warning",
          "The Zoom service answers 503",
          "The service in {{ $labels.namespace }} answers 503: Zoom's per-second rate limit (ZOOM_RATE_LIMITED), Zoom unreachable, or the idempotency store unavailable.",
        ),
      ],
    },
  ];
}

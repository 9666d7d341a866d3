// Prometheus metrics of the service. Label sets are bounded: routes are the fixed route patterns,
// results and reasons come from closed lists (never an organization id or a URL).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"port" | "route" | "method" | "status">;
  readonly requestSeconds: Histogram<"port" | "route">;
  /**
   * result: success | reauthorization_required | failed (Zoom or the network refused) | timeout (the
   * overall deadline aborted the call) | not_stored (Zoom answered, the new tokens could not be
   * written: the grant is lost) | superseded (the grant changed meanwhile: reconnected, disconnected).
   */
  readonly refreshes: Counter<"result">;
  /** Refresh locks left by another holder (crashed or cut off) that this replica took over. */
  readonly refreshLockTakeovers: Counter;
  /** From Zoom's answer to the new tokens being stored: the window in which a crash loses the grant. */
  readonly refreshPersistSeconds: Histogram;
  /** Refreshes this replica waited for instead of doing (another caller or replica held the lock). */
  readonly refreshWaits: Counter;
  readonly reauthorizationRequired: Counter;
  /** result: connected | missing_scopes | error; reason for errors (closed list). */
  readonly callbacks: Counter<"result" | "reason">;
  /** event: url_validation | app_deauthorized | other; result: accepted | refused. */
  readonly webhooks: Counter<"event" | "result">;
  /**
   * The fullest idempotency shard this replica wrote, as a share of its size limit: alert above 0.8;
   * at 1 new creates hashed to it answer 503 with Retry-After until its records expire.
   */
  readonly idempotencyShardFill: Gauge;
  /** reason: full | conflict | kubernetes (503 IDEMPOTENCY_STORE_UNAVAILABLE). */
  readonly idempotencyRefusals: Counter<"reason">;
  /** Outbound events recorded, by type (a closed list: service/events/event-types.ts). */
  readonly eventsRecorded: Counter<"type">;
  /** POSTs to booking-app endpoints by result: delivered | failed. */
  readonly eventDeliveries: Counter<"result">;
  /** From an event being recorded to its endpoint accepting it. */
  readonly eventDeliverySeconds: Histogram;
  /** Endpoints whose last attempt failed (seen by the delivering replica): alert when above 0 for long. */
  readonly eventEndpointsFailing: Gauge;
  /** Undelivered events dropped after the 72 h retention. */
  readonly eventsExpired: Counter;
  /** Delivery locks of another replica taken over after they went unrenewed for their ttl. */
  readonly eventLockTakeovers: Counter;
}

export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "zio_service_" });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "zio_service_http_requests_total",
      help: "HTTP requests by port, route pattern, method and status",
      labelNames: ["port", "route", "method", "status"],
      registers,
    }),
    requestSeconds: new Histogram({
      name: "zio_service_http_request_duration_seconds",
      help: "Duration of HTTP requests by port and route pattern",
      labelNames: ["port", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    refreshes: new Counter({
      name: "zio_service_token_refreshes_total",
      help: "OAuth token refreshes this replica made, by result",
      labelNames: ["result"],
      registers,
    }),
    refreshWaits: new Counter({
      name: "zio_service_token_refresh_waits_total",
      help: "Refreshes waited for because another replica held the grant's lock",
      registers,
    }),
    refreshLockTakeovers: new Counter({
      name: "zio_service_token_refresh_lock_takeovers_total",
      help: "Refresh locks of another holder taken over after they went unrenewed for their ttl",
      registers,
    }),
    refreshPersistSeconds: new Histogram({
      name: "zio_service_token_refresh_store_seconds",
      help: "Time from Zoom's refresh answer until the new tokens were stored (a crash in it loses the grant)",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    reauthorizationRequired: new Counter({
      name: "zio_service_reauthorization_required_total",
      help: "Connections that turned ReauthorizationRequired",
      registers,
    }),
    callbacks: new Counter({
      name: "zio_service_oauth_callbacks_total",
      help: "OAuth callbacks by result and reason",
      labelNames: ["result", "reason"],
      registers,
    }),
    webhooks: new Counter({
      name: "zio_service_webhooks_total",
      help: "Zoom webhook deliveries by event and result",
      labelNames: ["event", "result"],
      registers,
    }),
    idempotencyShardFill: new Gauge({
      name: "zio_service_idempotency_shard_fill_ratio",
      help: "Fullest idempotency shard written by this replica, as a share of its size limit (1 = new creates refused)",
      registers,
    }),
    idempotencyRefusals: new Counter({
      name: "zio_service_idempotency_store_refusals_total",
      help: "Requests refused with IDEMPOTENCY_STORE_UNAVAILABLE, by reason",
      labelNames: ["reason"],
      registers,
    }),
    eventsRecorded: new Counter({
      name: "zio_service_events_recorded_total",
      help: "Outbound events recorded for the booking app, by type",
      labelNames: ["type"],
      registers,
    }),
    eventDeliveries: new Counter({
      name: "zio_service_event_deliveries_total",
      help: "POSTs of events to booking-app endpoints, by result",
      labelNames: ["result"],
      registers,
    }),
    eventDeliverySeconds: new Histogram({
      name: "zio_service_event_delivery_seconds",
      help: "From an event being recorded to the booking app's endpoint accepting it",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600],
      registers,
    }),
    eventEndpointsFailing: new Gauge({
      name: "zio_service_event_endpoints_failing",
      help: "Booking-app endpoints whose last delivery attempt failed (reported by the delivering replica)",
      registers,
    }),
    eventsExpired: new Counter({
      name: "zio_service_events_expired_total",
      help: "Undelivered events dropped after the 72 h retention",
      registers,
    }),
    eventLockTakeovers: new Counter({
      name: "zio_service_event_delivery_lock_takeovers_total",
      help: "Event delivery locks of another replica taken over after they went unrenewed for their ttl",
      registers,
    }),
  };
}

// Prometheus metrics of the operator. Label sets are bounded: `result` and `reason` come from the
// closed error set (errors.ts), `kind` from the fixed list of child kinds (and ZoomIntegration, ReferencedSecret).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<"result" | "reason">;
  readonly reconcileSeconds: Histogram<"result">;
  readonly queueDepth: Gauge;
  readonly writes: Counter<"kind" | "verb">;
  readonly informerRestarts: Counter<"resource">;
  readonly leader: Gauge;
  /** Full objects held in memory, by kind: counted at each scrape by `count` (set by the controller). */
  readonly cachedObjects: { count?: () => Readonly<Record<string, number>> };
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "zio_operator_" });
  const registers = [registry];
  const cachedObjects: OperatorMetrics["cachedObjects"] = {};
  new Gauge({
    name: "zio_operator_cached_objects",
    help: "Full objects held in the operator's caches, by kind (ReferencedSecret: data of referenced Secrets it does not own)",
    labelNames: ["kind"],
    registers,
    collect() {
      this.reset();
      for (const [kind, n] of Object.entries(cachedObjects.count?.() ?? {})) this.set({ kind }, n);
    },
  });
  return {
    cachedObjects,
    registry,
    reconciles: new Counter({
      name: "zio_operator_reconciles_total",
      help: "Reconciles of ZoomIntegrations by result (success|requeue|error) and reason",
      labelNames: ["result", "reason"],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: "zio_operator_reconcile_duration_seconds",
      help: "Duration of one reconcile",
      labelNames: ["result"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    queueDepth: new Gauge({ name: "zio_operator_queue_depth", help: "Keys waiting in the work queue", registers }),
    writes: new Counter({
      name: "zio_operator_writes_total",
      help: "Writes the operator made to the Kubernetes API, by kind and verb",
      labelNames: ["kind", "verb"],
      registers,
    }),
    informerRestarts: new Counter({
      name: "zio_operator_informer_restarts_total",
      help: "Informers restarted after a watch error",
      labelNames: ["resource"],
      registers,
    }),
    leader: new Gauge({ name: "zio_operator_leader", help: "1 when this replica holds the leader Lease", registers }),
  };
}

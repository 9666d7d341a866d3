// The two Express apps. Neither listens: main.ts (or a test) does.
// - public (routed by the Ingress): the OAuth start and callback, the Zoom webhook;
// - api (ClusterIP, NetworkPolicy): the booking app's API behind the bearer token, probes, metrics.
import express, { type Express, type Router } from "express";
import type { Logger } from "../../common/logger.ts";
import { ProbePath } from "../../common/tenant/contract.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { jsonBody } from "../meetings/request-parsing.ts";
import { type AcceptedTokens, bearerAuth } from "./bearer-auth.ts";
import { errorMiddleware, notFound } from "./error-middleware.ts";
import { requestContext } from "./request-context.ts";

export interface PublicAppDeps {
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** The OAuth routes and the webhook route. */
  readonly routers: readonly Router[];
}

export interface ApiAppDeps {
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** The bearer token(s), read per request (rotation: the previous one during its overlap). */
  readonly apiToken: () => string | AcceptedTokens;
  /** Alive: the process answers. */
  readonly healthy: () => boolean;
  /** Ready: credentials loaded and the Kubernetes API answers. */
  readonly ready: () => Promise<boolean>;
  /** Routers mounted behind the bearer token (connections, and the meetings/users API). */
  readonly routers: readonly Router[];
}

function base(port: "public" | "api", log: Logger, metrics: ServiceMetrics): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestContext(port, log, metrics));
  return app;
}

export function createPublicApp(deps: PublicAppDeps): Express {
  const app = base("public", deps.log, deps.metrics);
  for (const router of deps.routers) app.use(router);
  app.use(notFound);
  app.use(errorMiddleware(deps.log));
  return app;
}

/** The metrics port: /metrics and nothing else (the NetworkPolicy opens it to the scrapers only). */
export function createMetricsApp(metrics: ServiceMetrics): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).type("text").send("not found: only /metrics is served on this port\n");
  });
  return app;
}

export function createApiApp(deps: ApiAppDeps): Express {
  const app = base("api", deps.log, deps.metrics);
  app.get(ProbePath.Liveness, (_req, res) => {
    res
      .status(deps.healthy() ? 200 : 503)
      .type("text")
      .send(deps.healthy() ? "ok\n" : "unhealthy\n");
  });
  app.get(ProbePath.Readiness, async (_req, res) => {
    const ready = await deps.ready();
    res
      .status(ready ? 200 : 503)
      .type("text")
      .send(ready ? "ok\n" : "not ready\n");
  });
  app.get("/metrics", async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use("/v1", bearerAuth(deps.apiToken));
  // NB: one body parser for every route, so the documented limit (BODY_LIMIT_BYTES) is the one that holds.
  app.use(jsonBody());
  for (const router of deps.routers) app.use(router);
  app.use(notFound);
  app.use(errorMiddleware(deps.log));
  return app;
}

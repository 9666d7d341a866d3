// Per-request plumbing: a request id (echoed as `x-request-id`), one access-log line and the
// request metrics. NB: only the path is logged, never the query: the OAuth callback's query holds
// the authorization code and state.
import { randomUUID } from "node:crypto";
import type { RequestHandler, Response } from "express";
import type { Logger } from "../../common/logger.ts";
import type { ServiceMetrics } from "../metrics.ts";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdOf(res: Response): string {
  return String(res.locals["requestId"] ?? "");
}

export function requestContext(port: "public" | "api", log: Logger, metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const given = req.get("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals["requestId"] = requestId;
    res.set("x-request-id", requestId);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      // NB: the matched route pattern keeps the label set bounded (never an organization id).
      const route = typeof req.route?.path === "string" ? req.route.path : "unmatched";
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ port, route, method: req.method, status: String(res.statusCode) });
      metrics.requestSeconds.observe({ port, route }, seconds);
      if (route === "/healthz" || route === "/readyz" || route === "/metrics") return;
      log.info({ requestId, port, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, "request");
    });
    next();
  };
}

// The one place that turns errors into HTTP answers: `{code, message, requestId}` (plus non-secret
// details). ServiceErrors keep their code and status; zod failures become 400 BAD_REQUEST naming
// the field; body-parser failures 400/413; anything else is a 500 INTERNAL that leaks nothing.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";
import type { Logger } from "../../common/logger.ts";
import { ErrorCode, KUBERNETES_RETRY_AFTER_SECONDS, kubernetesUnavailable, ServiceError } from "../errors.ts";
import { requestIdOf } from "./request-context.ts";

export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.join(".") ?? "";
    return new ServiceError(ErrorCode.BadRequest, field ? `${field}: ${issue?.message}` : (issue?.message ?? "invalid request"), {
      details: { field },
      cause: error,
    });
  }
  const type = (error as { type?: unknown } | undefined)?.type;
  if (type === "entity.too.large") return new ServiceError(ErrorCode.PayloadTooLarge, "the request body is too large", { cause: error });
  if (type === "entity.parse.failed" || type === "encoding.unsupported" || type === "charset.unsupported") {
    return new ServiceError(ErrorCode.BadRequest, "the request body is not valid JSON", { cause: error });
  }
  // NB: Express's router fails a path parameter with a broken %-escape (`/v1/meetings/%E0%A4`) as a URIError of status 400.
  if (error instanceof URIError || (error as { status?: unknown } | undefined)?.status === 400)
    return new ServiceError(ErrorCode.BadRequest, "path: not a valid %-encoded URL", { details: { field: "path" }, cause: error });
  if (kubernetesUnavailable(error)) {
    return new ServiceError(ErrorCode.KubernetesUnavailable, "the Kubernetes API server is unavailable; retry later", {
      cause: error,
      retryAfterSeconds: KUBERNETES_RETRY_AFTER_SECONDS,
    });
  }
  return new ServiceError(ErrorCode.Internal, "internal error", { cause: error });
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const e = toServiceError(error);
    const requestId = requestIdOf(res);
    if (e.status >= 500) log.error({ requestId, errorCode: e.code, err: error }, "request failed");
    else log.info({ requestId, errorCode: e.code, path: req.path }, "request refused");
    if (res.headersSent) return;
    if (e.retryAfterSeconds !== undefined) res.set("retry-after", String(e.retryAfterSeconds));
    res.status(e.status).json({ code: e.code, message: e.message, requestId, ...(e.details ? { details: e.details } : {}) });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ServiceError(ErrorCode.NotFound, `no route for ${req.method} ${req.path}`));
};

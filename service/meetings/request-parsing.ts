import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { z } from "zod";
import { ErrorCode, ServiceError } from "../errors.ts";

/** Booking-app bodies are small; anything larger is a bug or an attack. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * express.json with a size limit, whose failures become ServiceErrors (413 / 400 naming `body`)
 * instead of body-parser's own error shapes.
 */
export function jsonBody(limit: number = BODY_LIMIT_BYTES): RequestHandler {
  const parse = express.json({ limit, strict: true });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) {
        // NB: express.json skips other media types silently; the handler would then see no body at all.
        if (hasBody(req) && !req.is("application/json"))
          return next(
            new ServiceError(ErrorCode.BadRequest, "header.content-type: send the body as application/json", {
              details: { field: "header.content-type" },
            }),
          );
        return next();
      }
      const type = (error as { type?: unknown }).type;
      if (type === "entity.too.large")
        return next(new ServiceError(ErrorCode.PayloadTooLarge, `body: larger than ${limit} bytes`, { details: { field: "body" } }));
      if (type === "charset.unsupported" || type === "encoding.unsupported")
        return next(
          new ServiceError(ErrorCode.BadRequest, "body: send UTF-8 JSON without a content encoding", {
            details: { field: "body" },
            cause: error,
          }),
        );
      next(new ServiceError(ErrorCode.BadRequest, "body: not valid JSON", { details: { field: "body" }, cause: error }));
    });
  };
}

const hasBody = (req: Request) => req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] ?? "0") !== "0";

/** Parses with zod; a failure is a 400 whose message and `details.field` name the first bad path. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, where: "body" | "query" | "path" | "header"): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const path = issue.code === "unrecognized_keys" ? [...issue.path, ...issue.keys] : issue.path;
    return { field: [where, ...path.map(String)].join("."), message: issue.message };
  });
  const first = issues[0] ?? { field: where, message: "invalid" };
  return fail(first.field, first.message, issues);
}

function fail(field: string, message: string, issues: readonly { field: string; message: string }[]): never {
  throw new ServiceError(ErrorCode.BadRequest, `${field}: ${message}`, { details: { field, issues } });
}

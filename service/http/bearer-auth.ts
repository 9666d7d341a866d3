// The internal API's bearer token (the booking app's, from the api-token Secret), compared in
// constant time: both sides are hashed first, so neither the length nor a prefix leaks.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { ErrorCode, ServiceError } from "../errors.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected)) && expected.length > 0;
}

const CHALLENGE = 'Bearer realm="zoom-integration"';

/** `expected` is read per request, so a rotated token works without a restart. */
export function bearerAuth(expected: () => string): RequestHandler {
  return (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1] || !tokenMatches(match[1], expected())) {
      // RFC 9110 11.6.1: a 401 names its scheme; RFC 6750 3: invalid_token when one was sent.
      res.set("www-authenticate", header ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE);
      next(new ServiceError(ErrorCode.Unauthorized, "a valid bearer token is required"));
      return;
    }
    next();
  };
}

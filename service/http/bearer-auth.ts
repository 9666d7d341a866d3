// The internal API's bearer token (the booking app's, from the api-token Secret), compared in
// constant time: both sides are hashed first, so neither the length nor a prefix leaks.
// During a rotation the previous token is accepted too, until its expiry (the overlap period).
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { ErrorCode, ServiceError } from "../errors.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected)) && expected.length > 0;
}

const CHALLENGE = 'Bearer realm="zoom-integration"';

/** The tokens the booking app may send: the current one and, until `expiresAt`, the one it replaced. */
export interface AcceptedTokens {
  readonly token: string;
  readonly previous?: { readonly token: string; readonly expiresAt: string } | undefined;
}

/** Whether `given` is the current token, or the previous one before its expiry (an unparsable expiry has passed). */
export function acceptsToken(given: string, accepted: AcceptedTokens, nowMs: number): boolean {
  const current = tokenMatches(given, accepted.token);
  const { previous } = accepted;
  // NB: both comparisons always run, so timing does not tell which token matched.
  const old = previous !== undefined && tokenMatches(given, previous.token);
  return current || (old && nowMs < Date.parse(previous?.expiresAt ?? ""));
}

/** `expected` is read per request, so a rotated token works without a restart. */
export function bearerAuth(expected: () => string | AcceptedTokens, now: () => number = Date.now): RequestHandler {
  return (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    const accepted = expected();
    if (!match?.[1] || !acceptsToken(match[1], typeof accepted === "string" ? { token: accepted } : accepted, now())) {
      // RFC 9110 11.6.1: a 401 names its scheme; RFC 6750 3: invalid_token when one was sent.
      res.set("www-authenticate", header ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE);
      next(new ServiceError(ErrorCode.Unauthorized, "a valid bearer token is required"));
      return;
    }
    next();
  };
}

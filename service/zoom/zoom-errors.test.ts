import { describe, expect, it } from "vitest";
import { ErrorCode } from "../errors.ts";
import { isDailyLimit, upstreamError } from "./zoom-errors.ts";

const NOW = Date.parse("2025-09-01T22:30:00Z");
const DAILY_MESSAGE =
  "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user.";

describe("reading Zoom's error answers", () => {
  it("recognises the daily cap by its message when the headers are missing", () => {
    const answer = { status: 429, headers: {}, text: JSON.stringify({ code: 429, message: DAILY_MESSAGE }) };
    expect(isDailyLimit(answer)).toBe(true);
    const error = upstreamError(answer, NOW);
    expect([error.code, error.retryAfterSeconds]).toEqual([ErrorCode.ZoomDailyLimit, 5400]);
  });

  it("recognises the daily cap by its header even with an unfamiliar message", () => {
    expect(isDailyLimit({ status: 429, headers: { "x-ratelimit-type": "Daily-limit" }, text: "{}" })).toBe(true);
    expect(isDailyLimit({ status: 429, headers: { "x-ratelimit-type": "QPS" }, text: '{"code":429,"message":"slow down"}' })).toBe(false);
  });

  const cases = [
    { zoom: { status: 404, code: 3001 }, code: ErrorCode.NotFound },
    { zoom: { status: 400, code: 3002 }, code: ErrorCode.MeetingInProgress },
    { zoom: { status: 400, code: 3007 }, code: ErrorCode.MeetingEnded },
    { zoom: { status: 400, code: 4711 }, code: ErrorCode.MissingScopes },
    { zoom: { status: 404, code: 1001 }, code: ErrorCode.BadRequest },
    { zoom: { status: 401, code: 124 }, code: ErrorCode.ReauthorizationRequired },
    { zoom: { status: 400, code: 300 }, code: ErrorCode.ZoomRejected },
    { zoom: { status: 503, code: 503 }, code: ErrorCode.ZoomUnavailable },
  ];
  for (const c of cases)
    it(`maps Zoom ${c.zoom.status}/${c.zoom.code} to ${c.code}`, () => {
      expect(
        upstreamError({ status: c.zoom.status, headers: {}, text: JSON.stringify({ code: c.zoom.code, message: "m" }) }, NOW).code,
      ).toBe(c.code);
    });

  it("maps an HTML error page to ZOOM_BAD_RESPONSE whatever its status", () => {
    expect(upstreamError({ status: 400, headers: {}, text: "<html>oops</html>" }, NOW).code).toBe(ErrorCode.ZoomBadResponse);
  });
});

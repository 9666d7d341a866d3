import { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RevokeErrorCode, type RevokeTokenProps, revokeToken, ZoomRevokeError } from "./revoke.ts";

const ZOOM = "https://zoom.test";
const TOKEN = "access+token/with=odd&chars";
const SECRET = "client-secret-value";

let agent: MockAgent;
const waits: number[] = [];

beforeEach(() => {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  waits.length = 0;
});
afterEach(async () => {
  await agent.close();
});

function props(overrides: Partial<RevokeTokenProps> = {}): RevokeTokenProps {
  return {
    oauthBaseUrl: ZOOM,
    clientId: "client-id",
    clientSecret: SECRET,
    dispatcher: agent,
    sleep: async (ms) => void waits.push(ms),
    ...overrides,
  };
}

function zoomAnswers(status: number, body: string, times = 1) {
  agent
    .get(ZOOM)
    .intercept({ path: "/oauth/revoke", method: "POST" })
    .reply(status, body, { headers: { "content-type": "application/json" } })
    .times(times);
}

/** The outcome as one comparable value: the result, or the error's code and whether it may be retried. */
async function outcome(p: RevokeTokenProps = props()): Promise<string> {
  try {
    return await revokeToken(p, TOKEN);
  } catch (error) {
    if (!(error instanceof ZoomRevokeError)) throw error;
    return `${error.code}${error.retryable ? " (retryable)" : ""}`;
  }
}

const calls = () => agent.getCallHistory()?.calls() ?? [];

describe("revokeToken", () => {
  it("posts the token as form data with the app's Basic client credentials to {oauthBaseUrl}/oauth/revoke", async () => {
    zoomAnswers(200, JSON.stringify({ status: "success" }));
    expect(await revokeToken(props({ oauthBaseUrl: `${ZOOM}/` }), TOKEN)).toBe("Revoked");
    const [call] = calls();
    expect([call?.method, call?.path]).toEqual(["POST", "/oauth/revoke"]);
    expect(call?.headers?.["authorization"]).toBe(`Basic ${Buffer.from(`client-id:${SECRET}`).toString("base64")}`);
    expect(call?.headers?.["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(String(call?.body)).get("token")).toBe(TOKEN);
  });

  const cases: [string, number, string, "Revoked" | "InvalidToken" | `${RevokeErrorCode}${"" | " (retryable)"}`][] = [
    ["Zoom revoked the token", 200, '{"status":"success"}', "Revoked"],
    [
      "Zoom does not know the token (already revoked, expired or never issued)",
      400,
      '{"reason":"Invalid Token!","error":"invalid_request"}',
      "InvalidToken",
    ],
    ["Zoom says the grant is gone", 400, '{"reason":"Invalid Token!","error":"invalid_grant"}', "InvalidToken"],
    ["Zoom answers a numbered error only", 400, '{"code":4741,"message":"Only the last issued token is valid"}', "InvalidToken"],
    [
      "the client id or secret is wrong",
      400,
      '{"reason":"Invalid client_id or client_secret","error":"invalid_client"}',
      "ZoomClientRejected",
    ],
    ["Zoom names a bad client by number", 400, '{"reason":"Invalid client_id (4702)","error":"invalid_request"}', "ZoomClientRejected"],
    ["Zoom refuses the Basic authentication", 401, "", "ZoomClientRejected"],
    ["Zoom is down", 503, "<html>Service Unavailable</html>", "ZoomUnavailable (retryable)"],
    ["Zoom fails inside", 500, '{"reason":"Internal error","error":"server_error"}', "ZoomUnavailable (retryable)"],
    ["Zoom rate-limits", 429, '{"code":429,"message":"Too many requests"}', "ZoomUnavailable (retryable)"],
    ["Zoom answers HTML instead of an OAuth error", 400, "<html>Bad Request</html>", "ZoomBadResponse"],
    ["the base URL points at something that is not Zoom", 404, "<html>Not Found</html>", "ZoomBadResponse"],
    ["Zoom answers JSON that is no OAuth error", 400, '{"status":"failure"}', "ZoomBadResponse"],
    [
      "Zoom answers an unexpected status with an OAuth error",
      404,
      '{"reason":"Invalid Token!","error":"invalid_request"}',
      "ZoomBadResponse",
    ],
  ];
  for (const [when, status, body, expected] of cases) {
    it(`answers ${expected} when ${when} (${status})`, async () => {
      zoomAnswers(status, body);
      expect(await outcome()).toBe(expected);
      expect(calls()).toHaveLength(1);
    });
  }

  it("reports a network failure as Zoom unavailable, naming undici's error code", async () => {
    agent
      .get(ZOOM)
      .intercept({ path: "/oauth/revoke", method: "POST" })
      .replyWithError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    const error = await revokeToken(props(), TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZoomRevokeError);
    expect(error).toMatchObject({ code: "ZoomUnavailable", retryable: true, message: "Zoom could not be reached (ECONNREFUSED)" });
  });

  it("retries while Zoom is unavailable, up to the attempts given, and then succeeds", async () => {
    zoomAnswers(503, "", 2);
    zoomAnswers(200, '{"status":"success"}');
    expect(await outcome(props({ attempts: 3 }))).toBe("Revoked");
    expect(calls()).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it("gives up after the attempts given while Zoom stays unavailable", async () => {
    zoomAnswers(503, "", 3);
    expect(await outcome(props({ attempts: 3 }))).toBe("ZoomUnavailable (retryable)");
    expect(calls()).toHaveLength(3);
  });

  it("tries once by default: the caller has its own retry", async () => {
    zoomAnswers(503, "");
    expect(await outcome()).toBe("ZoomUnavailable (retryable)");
    expect(calls()).toHaveLength(1);
  });

  it("does not retry refused client credentials, which no retry can fix", async () => {
    zoomAnswers(400, '{"reason":"Invalid client_id or client_secret","error":"invalid_client"}');
    expect(await outcome(props({ attempts: 3 }))).toBe("ZoomClientRejected");
    expect(calls()).toHaveLength(1);
  });

  it("puts neither the token nor the client secret into an error message", async () => {
    zoomAnswers(400, '{"reason":"Invalid client_id or client_secret","error":"invalid_client"}');
    const error = (await revokeToken(props(), TOKEN).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("Zoom refused the client credentials (invalid_client)");
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(TOKEN);
  });
});

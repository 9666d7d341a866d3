import express from "express";
import { describe, expect, it } from "vitest";
import { type AcceptedTokens, acceptsToken, bearerAuth } from "./bearer-auth.ts";

const rotated: AcceptedTokens = { token: "new-token", previous: { token: "old-token", expiresAt: "2026-06-01T12:00:00Z" } };
const before = Date.parse("2026-06-01T11:59:59Z");
const after = Date.parse("2026-06-01T12:00:00Z");

describe("acceptsToken", () => {
  it.each([
    { name: "the current token is accepted", given: "new-token", accepted: rotated, now: after, ok: true },
    { name: "the previous token is accepted before its expiry", given: "old-token", accepted: rotated, now: before, ok: true },
    { name: "the previous token is refused from its expiry on", given: "old-token", accepted: rotated, now: after, ok: false },
    { name: "another token is refused during the overlap", given: "other", accepted: rotated, now: before, ok: false },
    { name: "an empty current token accepts nothing", given: "", accepted: { token: "" }, now: before, ok: false },
    {
      name: "a previous token with an unparsable expiry is refused",
      given: "old-token",
      accepted: { token: "new-token", previous: { token: "old-token", expiresAt: "soon" } },
      now: before,
      ok: false,
    },
    {
      name: "an empty previous token accepts nothing",
      given: "",
      accepted: { token: "new-token", previous: { token: "", expiresAt: "2030-01-01T00:00:00Z" } },
      now: before,
      ok: false,
    },
  ])("$name", ({ given, accepted, now, ok }) => {
    expect(acceptsToken(given, accepted, now)).toBe(ok);
  });
});

describe("bearerAuth", () => {
  it("answers 401 for the previous token once the overlap is over, and lets the current one through", async () => {
    let nowMs = before;
    const app = express();
    app.use(
      bearerAuth(
        () => rotated,
        () => nowMs,
      ),
    );
    app.get("/", (_req, res) => void res.send("ok"));
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(401).end());
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const status = async (token: string) => (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status;
    try {
      expect([await status("old-token"), await status("new-token")]).toEqual([200, 200]);
      nowMs = after;
      expect([await status("old-token"), await status("new-token")]).toEqual([401, 200]);
    } finally {
      server.close();
    }
  });
});

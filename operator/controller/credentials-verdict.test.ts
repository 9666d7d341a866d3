import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { CredentialsVerdicts, interpret, probe } from "./credentials-verdict.ts";

describe("interpret: Zoom's answer to a token request with an impossible code", () => {
  it.each([
    ["invalid_client is a rejection", 400, '{"reason":"Invalid client_id or client_secret","error":"invalid_client"}', "rejected"],
    ["invalid_grant means the client was accepted", 400, '{"reason":"Invalid Token!","error":"invalid_grant"}', "accepted"],
    [
      "invalid_request (an unknown code) means the client was accepted",
      400,
      '{"reason":"Invalid authorization code","error":"invalid_request"}',
      "accepted",
    ],
    ["a 401 is a rejection", 401, '{"reason":"Unauthorized"}', "rejected"],
  ])("%s", (_name, status, body, state) => {
    expect(interpret(status, body)?.state).toBe(state);
  });

  it.each([
    ["a 429", 429, '{"code":429}'],
    ["a 503", 503, ""],
    ["an HTML page from a wrong base URL", 404, "<html>Not Found</html>"],
    ["a JSON body without an OAuth error", 200, "{}"],
  ])("gives no verdict for %s", (_name, status, body) => {
    expect(interpret(status, body)).toBeUndefined();
  });

  it("quotes Zoom's reason, never the request", () => {
    expect(interpret(400, '{"reason":"Invalid client_id or client_secret","error":"invalid_client"}')).toEqual({
      state: "rejected",
      detail: "invalid_client: Invalid client_id or client_secret",
    });
  });
});

describe("asking the Zoom emulator", () => {
  let zoom: ZoomEmulator;
  beforeEach(async () => {
    zoom = await startZoomEmulator();
  });
  afterEach(() => zoom.close());
  const request = (clientSecret: string) => ({
    oauthBaseUrl: zoom.url,
    redirectUri: "https://app.acme.example/organization/integration/zoom/redirect",
    clientId: "acme-client",
    clientSecret,
    checksum: clientSecret,
  });

  it("tells the right secret from a wrong one without making a grant", async () => {
    expect((await probe(request("acme-secret"), 2000))?.state).toBe("accepted");
    expect((await probe(request("wrong"), 2000))?.state).toBe("rejected");
    expect(zoom.inspect().grants).toHaveLength(0);
  });

  it("asks once per Secret content, in the background, and enqueues the tenant when the verdict arrives", async () => {
    const enqueued: string[] = [];
    const verdicts = new CredentialsVerdicts({ enqueue: (key) => enqueued.push(key), minIntervalMs: 0 });
    expect(verdicts.verdict("ns/acme", request("wrong"))).toEqual({ state: "unknown" }); // first in this process: nothing changed
    await expect.poll(() => enqueued).toEqual(["ns/acme"]);
    expect(verdicts.verdict("ns/acme", request("wrong")).state).toBe("rejected");
    expect(verdicts.verdict("ns/acme", request("wrong")).state).toBe("rejected");
    expect(zoom.inspect().requestsPerRoute["POST /oauth/token"]).toBe(1);
    // other credentials: not known yet, and what the status said was about the previous ones
    expect(verdicts.verdict("ns/acme", request("acme-secret"))).toEqual({ state: "unknown", credentialsChanged: true });
    await expect.poll(() => verdicts.verdict("ns/acme", request("acme-secret")).state).toBe("accepted");
    expect(zoom.inspect().requestsPerRoute["POST /oauth/token"]).toBe(2);
  });

  it("does not ask again within the rate limit when the Secret changes quickly", async () => {
    const verdicts = new CredentialsVerdicts({ enqueue: () => {}, minIntervalMs: 60_000 });
    verdicts.verdict("ns/acme", request("wrong"));
    await expect.poll(() => verdicts.verdict("ns/acme", request("wrong")).state).toBe("rejected");
    expect(verdicts.verdict("ns/acme", request("acme-secret")).state).toBe("unknown");
    expect(zoom.inspect().requestsPerRoute["POST /oauth/token"]).toBe(1);
  });

  it("has no verdict while Zoom is unavailable", async () => {
    zoom.faults.inject("POST /oauth/token", { kind: "status", status: 503 });
    expect(await probe(request("acme-secret"), 2000)).toBeUndefined();
  });
});

describe("how many requests to Zoom are in flight at once", () => {
  it("keeps at most maxInFlight open over all tenants; the others wait their turn and get their verdict", async () => {
    const { createServer } = await import("node:http");
    let open = 0;
    let most = 0;
    const held: (() => void)[] = [];
    const server = createServer((req, res) => {
      open++;
      most = Math.max(most, open);
      req.resume();
      held.push(() => {
        open--;
        res.writeHead(400, { "content-type": "application/json" }).end('{"reason":"Invalid authorization code","error":"invalid_request"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const enqueued = new Set<string>();
      const verdicts = new CredentialsVerdicts({ enqueue: (key) => enqueued.add(key), maxInFlight: 3, timeoutMs: 10_000 });
      const request = (i: number) => ({
        oauthBaseUrl: `http://127.0.0.1:${port}`,
        redirectUri: "https://app.t.example/organization/integration/zoom/redirect",
        clientId: `client-${i}`,
        clientSecret: `secret-${i}`,
        checksum: `c${i}`,
      });
      for (let i = 0; i < 20; i++) expect(verdicts.verdict(`ns/t${i}`, request(i)).state).toBe("unknown");
      while (enqueued.size < 20) {
        await expect.poll(() => held.length).toBeGreaterThan(0);
        expect(verdicts.inFlight).toBeLessThanOrEqual(3);
        for (const answer of held.splice(0)) answer();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(most).toBe(3);
      expect(verdicts.inFlight).toBe(0);
      for (let i = 0; i < 20; i++) expect(verdicts.verdict(`ns/t${i}`, request(i)).state).toBe("accepted");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

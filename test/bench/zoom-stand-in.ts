// What the benchmark's tenants use as Zoom: a loopback server that answers the operator's
// credentials check (a token request with an impossible code) as Zoom does for a client it accepts.
// NB: without it the tenants would name https://zoom.us: every check a DNS query leaving the machine,
// and, with no answer, a connection per tenant hanging in the operator, measured as its memory.
import { createServer } from "node:http";

export interface ZoomStandIn {
  /** http://127.0.0.1:PORT: the tenants' zoom.oauthBaseUrl and apiBaseUrl. */
  readonly url: string;
  /** Token requests answered so far. */
  readonly tokenRequests: () => number;
  stop(): Promise<void>;
}

export async function startZoomStandIn(): Promise<ZoomStandIn> {
  let tokenRequests = 0;
  const server = createServer((req, res) => {
    req.resume();
    if (req.method === "POST" && req.url === "/oauth/token") {
      tokenRequests++;
      res.writeHead(400, { "content-type": "application/json" }).end('{"reason":"Invalid authorization code","error":"invalid_request"}');
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"code":404,"message":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    tokenRequests: () => tokenRequests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// A round-robin HTTP proxy that follows its backends' readiness, as a client-side balancer that
// watches endpoints (or an ingress controller) would: it polls each backend's /readyz and sends
// requests only to ready ones, over keep-alive connections. It never retries: a request that a
// backend refuses or resets is a failed request, which is what a roll must not cause.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";

export interface ReadinessProxy {
  readonly url: string;
  /** Replaces the backend list (base URLs); a new backend is used once its /readyz answers 200. */
  setBackends(urls: readonly string[]): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

function endToEnd(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter((e): e is [string, string | string[]] => e[1] !== undefined && !HOP_BY_HOP.has(e[0])),
  );
}

export async function startReadinessProxy(pollMs = 100): Promise<ReadinessProxy> {
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  let backends: readonly string[] = [];
  let ready: string[] = [];
  let next = 0;
  const poll = setInterval(async () => {
    const states = await Promise.all(
      backends.map(async (b) => {
        const res = await request(`${b}/readyz`, { dispatcher: agent, headersTimeout: pollMs * 5 }).catch(() => undefined);
        await res?.body.dump();
        return res?.statusCode === 200 ? b : undefined;
      }),
    );
    ready = states.filter((b): b is string => b !== undefined);
  }, pollMs);
  const server: Server = createServer(async (req, res) => {
    const target = ready[next++ % Math.max(1, ready.length)];
    if (!target) {
      res.writeHead(503).end("no ready backend");
      return;
    }
    try {
      const upstream = await request(`${target}${req.url}`, {
        method: req.method as "GET",
        headers: endToEnd(req.headers),
        body: req.method === "GET" || req.method === "HEAD" ? undefined : req,
        dispatcher: agent,
      });
      res.writeHead(upstream.statusCode, { "content-type": String(upstream.headers["content-type"] ?? "text/plain") });
      res.end(Buffer.from(await upstream.body.arrayBuffer()));
    } catch (error) {
      res.writeHead(502).end(`backend ${target} failed: ${(error as { code?: string }).code ?? String(error)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setBackends(urls) {
      backends = [...urls];
      ready = ready.filter((b) => backends.includes(b));
    },
    async close() {
      clearInterval(poll);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await agent.close();
    },
  };
}

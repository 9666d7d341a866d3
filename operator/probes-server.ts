// /metrics, /healthz and /readyz for the operator (plain node:http: three fixed routes).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import type { Verdict } from "./health.ts";

export interface ProbesProps {
  readonly registry: Registry;
  /** Alive: the event loop answers and no watch is stuck failing (health.ts `liveness`). */
  readonly healthy: () => Verdict;
  /** Ready: caches synced and watches working, or a standby that can take over (health.ts `readiness`). */
  readonly ready: () => Verdict;
}

export function createProbesServer(props: ProbesProps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405).end();
      return;
    }
    if (path === "/metrics") {
      props.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": props.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === "/healthz" || path === "/readyz") {
      const verdict = path === "/healthz" ? props.healthy() : props.ready();
      res.writeHead(verdict.ok ? 200 : 503, { "content-type": "text/plain" }).end(`${verdict.reason}\n`);
      return;
    }
    res.writeHead(404).end();
  });
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

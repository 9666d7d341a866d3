// /metrics, /healthz and /readyz for the operator (plain node:http: three fixed routes).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface ProbesProps {
  readonly registry: Registry;
  /** Alive: the event loop answers and informers are not stuck restarting. */
  readonly healthy: () => boolean;
  /** Ready: CRD found and caches synced (a standby replica is ready too: it can take over). */
  readonly ready: () => boolean;
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
      const ok = path === "/healthz" ? props.healthy() : props.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok\n" : "not ready\n");
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

// The test plane's stand-in for kube-proxy, for the Services Traefik sends to: it listens on each
// Service's ClusterIP (a loopback address: --service-cluster-ip-range=127.2.0.0/16) and port, and
// forwards every connection to a ready pod behind it (round robin), as kube-proxy would.
// NB: Services without a selector are skipped: whatever listens on their ClusterIP serves them (the
// booking app's own pages in the e2e suite).
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { CoreV1Api, type KubeConfig, type V1Service } from "@kubernetes/client-node";
import { roundRobin, serviceBackends } from "../e2e/support/cluster-network.ts";

export interface ServiceProxy {
  /** `namespace/service:port -> pod` for each forwarded connection, for failure output. */
  readonly connections: string[];
  stop(): Promise<void>;
}

const POLL_MS = 500;

export async function startServiceProxy(kc: KubeConfig, namespaces: readonly string[]): Promise<ServiceProxy> {
  const core = kc.makeApiClient(CoreV1Api);
  const listeners = new Map<string, Server>();
  const connections: string[] = [];
  const sockets = new Set<Socket>();
  const pick = roundRobin();

  const listen = (svc: V1Service, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const ns = svc.metadata?.namespace ?? "";
      const name = svc.metadata?.name ?? "";
      const server = createServer((client) => {
        sockets.add(client);
        client.on("close", () => sockets.delete(client));
        serviceBackends(kc, ns, name, port)
          .then((backends) => {
            const backend = pick(backends);
            connections.push(`${ns}/${name}:${port} -> ${backend?.pod ?? "no ready pod"}`);
            if (!backend) return client.destroy();
            const upstream = createConnection(backend.port, backend.ip);
            client.pipe(upstream).pipe(client);
            const close = () => {
              client.destroy();
              upstream.destroy();
            };
            upstream.on("error", close);
            upstream.on("close", close);
            client.on("close", close);
            client.on("error", close);
          })
          .catch(() => client.destroy());
      });
      server.once("error", reject);
      server.listen(port, svc.spec?.clusterIP, () => resolve(server));
    });

  const sync = async () => {
    const services = (await Promise.all(namespaces.map((namespace) => core.listNamespacedService({ namespace })))).flatMap((l) => l.items);
    const wanted = new Map<string, [V1Service, number]>();
    for (const svc of services) {
      const ip = svc.spec?.clusterIP;
      if (!ip || ip === "None" || Object.keys(svc.spec?.selector ?? {}).length === 0) continue;
      for (const p of svc.spec?.ports ?? []) if ((p.protocol ?? "TCP") === "TCP") wanted.set(`${ip}:${p.port}`, [svc, p.port]);
    }
    for (const [key, server] of listeners) {
      if (!wanted.has(key)) {
        server.close();
        listeners.delete(key);
      }
    }
    for (const [key, [svc, port]] of wanted) {
      if (!listeners.has(key)) listeners.set(key, await listen(svc, port));
    }
  };

  let stopped = false;
  let last: Promise<void> = sync();
  await last;
  const timer = setInterval(() => {
    last = last.then(() => (stopped ? undefined : sync().catch(() => {}))); // the next poll tries again
  }, POLL_MS);
  return {
    connections,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await last.catch(() => {});
      const closed = [...listeners.values()].map((s) => new Promise((resolve) => s.close(resolve)));
      for (const socket of sockets) socket.destroy(); // NB: close waits for open (kept-alive) connections
      await Promise.all(closed);
      listeners.clear();
    },
  };
}

// Listening and graceful shutdown. On SIGTERM (after the pod's preStop sleep) a server first keeps
// serving for `delayMs` while every response says `Connection: close`, so keep-alive clients
// reconnect elsewhere; then it stops accepting, lets in-flight requests finish (up to `graceMs`),
// and closes what is left.
import type { Server, ServerResponse } from "node:http";
import type { Express } from "express";

export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** Responses not yet finished. */
  readonly open: Set<ServerResponse>;
}

export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = app.listen(port, host);
  const open = new Set<ServerResponse>();
  server.prependListener("request", (_req, res: ServerResponse) => {
    open.add(res);
    res.once("close", () => open.delete(res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : port, open };
}

export interface DrainTimes {
  /** Keep accepting this long (balancers still route here until they see the pod go). */
  readonly delayMs: number;
  /** Then how long in-flight requests may take before their connections are closed. */
  readonly graceMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function drain(listening: Listening, times: DrainTimes): Promise<void> {
  const { server, open } = listening;
  const closeAfterResponse = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };
  for (const res of open) closeAfterResponse(res);
  server.prependListener("request", (_req, res: ServerResponse) => closeAfterResponse(res));
  await sleep(times.delayMs);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // NB: idle keep-alive connections are closed only now: closing one earlier races a client that is
  // just sending on it. A connection turns idle when its last response is sent; close it then.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => server.closeAllConnections(), times.graceMs);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweeper);
  clearTimeout(timer);
}

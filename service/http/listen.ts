// Listening and graceful shutdown: stop accepting, let in-flight requests finish (up to a grace
// period), then close what is left. Keep-alive connections that are idle are closed at once.
import type { Server } from "node:http";
import type { Express } from "express";

export async function listen(app: Express, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : port };
}

export async function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // NB: a keep-alive connection turns idle when its last response is sent; close it then, rather
  // than waiting for the client's keep-alive timeout.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweeper);
  clearTimeout(timer);
}

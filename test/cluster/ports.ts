import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * The ports handed out lie below the kernel's ephemeral range: a port the OS picked (listen on 0)
 * comes from that range, where any outgoing connection of any process may take it as its local port
 * before our component binds it (a kube-scheduler once failed to start on "address already in use").
 */
const EPHEMERAL_LOW = ephemeralLow();
const LOW = Math.max(10_000, EPHEMERAL_LOW - 12_000);

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (EPHEMERAL_LOW - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${LOW} and ${EPHEMERAL_LOW - 1}`);
}

// A booking app's event receiver for the tests: verifies each delivery's Standard Webhooks
// signature with the typed client's verifier, records the CloudEvents it accepted (with the time
// each arrived), and can be told to fail (a status), to be slow, or to go down and come back on
// the same port.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "../../service/client/webhook-verifier.ts";

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly sequence: string;
  readonly time: string;
  readonly source: string;
  readonly data: Record<string, unknown>;
  /** performance.now() when it arrived. */
  readonly arrivedAt: number;
}

export interface EventReceiver {
  readonly url: string;
  /** Every delivery accepted (2xx answered), in arrival order; redeliveries included. */
  readonly events: ReceivedEvent[];
  /** Deliveries whose signature did not verify (must stay empty). */
  readonly refused: string[];
  /** The answer to each delivery (default 204); `delayMs` before answering. */
  behave(o: { status?: number; delayMs?: number }): void;
  setSecrets(secrets: readonly string[]): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startEventReceiver(secrets: readonly string[] = []): Promise<EventReceiver> {
  let keys = [...secrets];
  let behaviour = { status: 204, delayMs: 0 };
  const events: ReceivedEvent[] = [];
  const refused: string[] = [];
  let port = 0;
  let server: Server | undefined;
  const start = async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const { status, delayMs } = behaviour;
        setTimeout(() => {
          if (status >= 200 && status < 300) {
            try {
              const event = verifyWebhook<Omit<ReceivedEvent, "arrivedAt">>({
                secrets: keys,
                header: (n) => req.headers[n] as string,
                body,
              });
              events.push({ ...event, arrivedAt: performance.now() });
            } catch (error) {
              refused.push(String(error));
              res.writeHead(401).end();
              return;
            }
          }
          res.writeHead(status).end();
        }, delayMs);
      });
    });
    await new Promise<void>((r) => server!.listen(port, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}/booking/zoom-events`,
    events,
    refused,
    behave: (o) => {
      behaviour = { status: o.status ?? 204, delayMs: o.delayMs ?? 0 };
    },
    setSecrets: (s) => {
      keys = [...s];
    },
    down: stop,
    up: start,
    close: stop,
  };
}

/** The ids in first-arrival order (redeliveries dropped). */
export function firstArrivals(events: readonly ReceivedEvent[]): ReceivedEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

// Health waits for the control plane's components, reporting which one is slow.
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { request as httpRequest } from "node:http";
import { isAlive, type Component } from "./processes.ts";

export interface TlsClient {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecure?: boolean;
}

/** GETs `url` (http or https) and resolves with the status code; 0 when it could not connect. */
export function probe(url: string, tls: TlsClient = {}): Promise<number> {
  return new Promise((resolve) => {
    const options = { timeout: 2000, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure };
    const req = url.startsWith("https:") ? request(url, options) : httpRequest(url, { timeout: 2000 });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function logTail(file: string, lines = 25): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").slice(-lines).join("\n");
}

export interface WaitProps {
  readonly component: Component;
  readonly check: () => Promise<boolean>;
  readonly timeoutMs?: number;
  readonly progress?: (message: string) => void;
}

/**
 * Polls `check` until it passes. Fails at once, with the log tail, when the process died, and
 * after `timeoutMs` (90 s by default: a busy 2-core machine can take 30+ s) naming the component.
 */
export async function waitHealthy(props: WaitProps): Promise<void> {
  const { component, timeoutMs = 90_000 } = props;
  const started = Date.now();
  let nextReport = started + 10_000;
  while (true) {
    if (!isAlive(component.pid)) {
      throw new Error(
        `${component.name} exited during start-up; last log lines (${component.logFile}):\n${await logTail(component.logFile)}`,
      );
    }
    if (await props.check()) return;
    const now = Date.now();
    if (now - started > timeoutMs) {
      throw new Error(
        `${component.name} was not healthy after ${Math.round(timeoutMs / 1000)} s; last log lines (${component.logFile}):\n${await logTail(component.logFile)}`,
      );
    }
    if (now >= nextReport) {
      props.progress?.(`still waiting for ${component.name} (${Math.round((now - started) / 1000)} s)`);
      nextReport = now + 10_000;
    }
    await sleep(250);
  }
}

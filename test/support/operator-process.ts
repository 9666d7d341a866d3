// Runs the real operator (`node operator/main.ts`) as a child process against the test control
// plane, capturing its JSON log lines for assertions and for dumps when a test fails.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { freePort } from "../cluster/ports.ts";
import { isAlive } from "../cluster/processes.ts";

export interface OperatorProcess {
  readonly pid: number;
  readonly identity: string;
  readonly healthPort: number;
  readonly metricsPort: number;
  readonly lines: string[];
  /** SIGTERM and wait (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<void>;
  /** How it ended (exit code or signal), once it has: a chaos test tells an OOM from its own kills. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The operator's own Prometheus metrics text. */
  metrics(): Promise<string>;
  /** The answer of /healthz or /readyz: status and its one-line reason. */
  probe(path: "/healthz" | "/readyz"): Promise<{ status: number; reason: string }>;
}

export interface OperatorOptions {
  readonly kubeconfigPath: string;
  readonly identity: string;
  readonly env?: Record<string, string>;
  /** Program and leading arguments. @default node operator/main.ts (test/image: the built image's entrypoint) */
  readonly command?: readonly string[];
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const healthPort = await freePort();
  const metricsPort = await freePort();
  const [program, ...args] = options.command ?? [process.execPath, "operator/main.ts"];
  const child = spawn(program!, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env["PATH"] ?? "",
      KUBECONFIG: options.kubeconfigPath,
      POD_NAME: options.identity,
      HEALTH_PORT: String(healthPort),
      METRICS_PORT: String(metricsPort),
      BIND_ADDRESS: "127.0.0.1",
      LOG_LEVEL: "debug",
      ...options.env,
    },
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on("line", (l) => lines.push(l));
  // Ready to be asked: its probes server answers (before that, metrics() would be refused).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${healthPort}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`operator ${options.identity} did not come up:\n${lines.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    identity: options.identity,
    healthPort,
    metricsPort,
    lines,
    stop: async () => {
      if (isAlive(child.pid!)) child.kill("SIGTERM");
      await exited(child);
    },
    exitStatus: () =>
      child.exitCode === null && child.signalCode === null ? undefined : { code: child.exitCode, signal: child.signalCode },
    kill: async () => {
      if (isAlive(child.pid!)) child.kill("SIGKILL");
      await exited(child);
    },
    metrics: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
    probe: async (path) => {
      const response = await fetch(`http://127.0.0.1:${healthPort}${path}`);
      return { status: response.status, reason: (await response.text()).trim() };
    },
  };
}

/** Sum of a Prometheus counter over the series whose labels contain every `match` pair. */
export function counterSum(text: string, name: string, match: Record<string, string> = {}): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(match).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** The operator's JSON log lines at `level` ("warn", "info", ...) whose message is `msg`. */
export function logLines(lines: readonly string[], level: string, msg: string): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry["level"] === level && entry["msg"] === msg ? [entry] : [];
    } catch {
      return [];
    }
  });
}

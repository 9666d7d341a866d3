// Runs the real service (`node service/main.ts`) as a child process with a tenant's env, as the
// pod would, capturing its JSON log lines.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { freePort } from "../cluster/ports.ts";
import { isAlive } from "../cluster/processes.ts";
import { eventually } from "./eventually.ts";
import type { ServiceTenant } from "./service-tenant.ts";

export interface ServiceProcess {
  readonly podName: string;
  readonly pid: number;
  readonly publicUrl: string;
  readonly apiUrl: string;
  readonly lines: string[];
  /** How it ended (exit code or signal), once it has: a chaos test tells an OOM from its own kills. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM; resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash: nothing runs after it); resolves once the process is gone. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

/** A port found free was taken before the service bound it (another test's process): a new pair is tried. */
const PORT_ATTEMPTS = 3;

export async function startServiceProcess(
  tenant: ServiceTenant,
  podName: string,
  env: Record<string, string> = {},
  /** Program and leading arguments (test/image: the built image's entrypoint). */
  command: readonly string[] = [process.execPath, "service/main.ts"],
): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(tenant, podName, env, command);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(
  tenant: ServiceTenant,
  podName: string,
  env: Record<string, string>,
  command: readonly string[],
): Promise<ServiceProcess> {
  const publicPort = await freePort();
  let apiPort = await freePort();
  while (apiPort === publicPort) apiPort = await freePort();
  const ports = { publicPort, apiPort };
  const [program, ...args] = command;
  const child = spawn(program!, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env["PATH"] ?? "", KUBECONFIG: tenant.kubeconfigPath, LOG_LEVEL: "debug", ...tenant.env(podName, ports), ...env },
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on("line", (l) => lines.push(l));
  const apiUrl = `http://127.0.0.1:${ports.apiPort}`;
  const ended = exited(child).then(() => "exited" as const);
  const ready = eventually(
    async () => {
      if (child.exitCode !== null) return "exited" as const; // NB: `ended` says why
      const res = await fetch(`${apiUrl}/readyz`);
      if (res.status !== 200) throw new Error(`readyz ${res.status}`);
      return "ready" as const;
    },
    { timeout: 20_000 },
  );
  if ((await Promise.race([ready, ended])) === "exited") {
    await new Promise((resolve) => setTimeout(resolve, 200)); // the last lines of its output
    const message = `service ${podName} exited ${child.exitCode}: ${lines.slice(-5).join("\n")}`;
    throw lines.some((l) => l.includes("EADDRINUSE")) ? new PortTaken(message) : new Error(message);
  }
  return {
    podName,
    pid: child.pid!,
    publicUrl: `http://127.0.0.1:${ports.publicPort}`,
    apiUrl,
    lines,
    stop: async () => {
      if (isAlive(child.pid!)) child.kill("SIGTERM");
      return exited(child);
    },
    exitStatus: () =>
      child.exitCode === null && child.signalCode === null ? undefined : { code: child.exitCode, signal: child.signalCode },
    kill: async () => {
      if (isAlive(child.pid!)) child.kill("SIGKILL");
      await exited(child);
    },
  };
}

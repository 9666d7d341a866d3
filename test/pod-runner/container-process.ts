// One container of a running pod: the local process (its own process group, output to a log
// file), restarted with backoff when it exits (restartPolicy Always: the pods we run belong to
// Deployments), with its readiness and liveness probes. A liveness failure kills it, like kubelet.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { V1Container } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { stopComponent } from "../cluster/processes.ts";
import type { ContainerCommand } from "./commands.ts";
import { ProbeLoop } from "./probes.ts";

export interface ContainerProcessProps {
  readonly container: V1Container;
  readonly command: ContainerCommand;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** The pod IP: probes go there. */
  readonly host: string;
  /** Cap on the readiness probe's period and initial delay (liveness keeps its own). */
  readonly maxProbeIntervalMs: number;
  /** Something the pod's status shows changed: started, exited, readiness flipped. */
  readonly onChange: () => void;
  readonly log: Logger;
}

/** What pods/status reports for a container. */
export interface ContainerState {
  readonly name: string;
  readonly image: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly ready: boolean;
  readonly restarts: number;
  readonly startedAt: string | undefined;
  readonly lastExitCode: number | undefined;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is gone already: nothing to kill
  }
}

const MAX_BACKOFF_MS = 10_000; // kubelet's is 5 minutes; a test would time out first

export class ContainerProcess {
  private pid: number | undefined;
  private startedAt: string | undefined;
  private lastExitCode: number | undefined;
  private restarts = 0;
  private backoffMs = 500;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readiness: ProbeLoop | undefined;
  private liveness: ProbeLoop | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly props: ContainerProcessProps;

  constructor(props: ContainerProcessProps) {
    this.props = props;
    this.spawn();
  }

  state(): ContainerState {
    const running = this.pid !== undefined;
    return {
      name: this.props.container.name,
      image: this.props.container.image ?? "",
      pid: this.pid,
      running,
      ready: running && (this.readiness ? this.readiness.ok : true),
      restarts: this.restarts,
      startedAt: this.startedAt,
      lastExitCode: this.lastExitCode,
    };
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; no restart afterwards. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.stopProbes();
    if (this.pid !== undefined) await stopComponent(this.pid, graceMs);
    await this.exited;
  }

  private spawn(): void {
    const { container, command, log } = this.props;
    const fd = openSync(this.props.logFile, "a");
    try {
      const child = spawn(command.command, [...command.args], {
        cwd: this.props.cwd,
        env: this.props.env,
        detached: true, // NB: its own process group, so a stop reaches whatever it forks too
        stdio: ["ignore", fd, fd],
      });
      child.unref();
      this.exited = new Promise((resolve) => {
        child.once("close", () => resolve());
        child.once("error", () => resolve());
      });
      child.once("exit", (code, signal) => this.onExit(code, signal));
      this.pid = child.pid;
      if (child.pid === undefined) {
        child.once("error", (error) => {
          log.error({ err: error, container: container.name, command: command.command }, "process could not start");
          this.onExit(127, null);
        });
        return;
      }
      this.startedAt = new Date().toISOString();
      log.info({ container: container.name, pid: child.pid, command: command.command }, "process started");
      this.startProbes();
    } finally {
      closeSync(fd);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const pid = this.pid;
    this.pid = undefined;
    this.lastExitCode = code ?? 128;
    this.stopProbes();
    if (pid !== undefined) killGroup(pid); // whatever it forked and left behind
    if (this.stopping) return;
    const ranMs = Date.now() - Date.parse(this.startedAt ?? "");
    if (ranMs > 30_000) this.backoffMs = 500;
    this.props.log.warn(
      { container: this.props.container.name, pid, exitCode: code, signal, restartInMs: this.backoffMs },
      "process exited; restarting",
    );
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.spawn();
      this.props.onChange();
    }, this.backoffMs);
    this.restartTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.props.onChange();
  }

  private startProbes(): void {
    const { container, host, maxProbeIntervalMs: maxIntervalMs } = this.props;
    if (container.readinessProbe) {
      this.readiness = new ProbeLoop({
        probe: container.readinessProbe,
        container,
        host,
        maxIntervalMs,
        onChange: () => this.props.onChange(),
      });
    }
    if (container.livenessProbe) {
      // NB: liveness keeps its real period: capped, it would kill a process still starting up.
      this.liveness = new ProbeLoop({
        probe: container.livenessProbe,
        container,
        host,
        maxIntervalMs: Number.POSITIVE_INFINITY,
        initial: true,
        onChange: (alive) => {
          if (alive || this.pid === undefined) return;
          this.props.log.warn({ container: container.name, pid: this.pid }, "liveness probe failed; killing the process");
          killGroup(this.pid);
        },
      });
    }
    this.props.onChange();
  }

  private stopProbes(): void {
    this.readiness?.stop();
    this.liveness?.stop();
    this.readiness = undefined;
    this.liveness = undefined;
  }
}

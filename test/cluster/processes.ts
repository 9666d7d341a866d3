// Child processes of the control plane: each in its own process group (so a stop reaches every
// descendant), output to a log file, stopped with SIGTERM then SIGKILL.
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";

export interface Component {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** How it was started, so a chaos test can start it again (control-plane.ts `restartComponent`). */
  readonly bin?: string;
  readonly args?: readonly string[];
}

export interface StartProps {
  readonly name: string;
  readonly bin: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function startComponent(props: StartProps): Component {
  const fd = openSync(props.logFile, "a");
  try {
    const child = spawn(props.bin, props.args, {
      detached: true, // NB: its own process group, so killing -pid reaches its children too
      stdio: ["ignore", fd, fd],
      env: props.env ?? process.env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${props.name} (${props.bin})`);
    child.unref();
    return { name: props.name, pid: child.pid, logFile: props.logFile, bin: props.bin, args: props.args };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone (EPERM cannot happen: we started it as the same user)
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone: nothing left to signal
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGKILL to the group at once (a crash: nothing runs after it); resolves once the leader is gone. */
export async function killComponent(pid: number): Promise<void> {
  signalGroup(pid, "SIGKILL");
  while (isAlive(pid)) await sleep(20);
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader is gone. */
export async function stopComponent(pid: number, graceMs = 5000): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  signalGroup(pid, "SIGKILL");
  while (isAlive(pid)) await sleep(20);
}

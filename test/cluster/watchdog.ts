// A tiny detached shell loop that outlives a crashed test run: when the process that started the
// control plane dies without stopping it (SIGKILL, an OOM, a CI timeout), the watchdog stops every
// component group listed in `<dir>/pids` and removes the directory. No process or port leaks.
import { spawn } from "node:child_process";

const SCRIPT = `
parent="$1"; dir="$2"
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
[ -f "$dir/pids" ] || exit 0
for pid in $(cat "$dir/pids"); do kill -TERM -- "-$pid" 2>/dev/null; done
sleep 5
for pid in $(cat "$dir/pids"); do kill -KILL -- "-$pid" 2>/dev/null; done
rm -rf "$dir"
`;

/** Starts the watchdog for `dir`, watching `parentPid`; returns its pid (stop it after a clean stop). */
export function startWatchdog(parentPid: number, dir: string): number {
  const child = spawn("bash", ["-c", SCRIPT, "zio-watchdog", String(parentPid), dir], { detached: true, stdio: "ignore" });
  child.unref();
  if (child.pid === undefined) throw new Error("could not start the control-plane watchdog");
  return child.pid;
}

/** Stops a watchdog after a clean stop. NB: kill its group, or its `sleep 1` outlives it. */
export function stopWatchdog(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

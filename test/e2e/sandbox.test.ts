// The README's main command on this machine: `npm start` runs the sandbox to the "meeting created"
// step, and Ctrl-C (SIGINT) stops it cleanly, leaving no process behind.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { isAlive } from "../cluster/processes.ts";

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ")"
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every live process below `root` in the process tree. */
function descendants(root: number): number[] {
  const pids = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").slice(0, 200);
  } catch {
    return "gone";
  }
}

describe("npm start (the sandbox)", () => {
  it("creates a meeting end to end, then stops cleanly on Ctrl-C", async () => {
    const env = { ...process.env };
    delete env["KUBECONFIG"]; // with KUBECONFIG set it would run against that cluster instead
    const child = spawn(process.execPath, ["scripts/start.ts"], { env, stdio: ["ignore", "ignore", "pipe"] });
    const lines: string[] = [];
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}:\n${lines.slice(-30).join("\n")}`)));
      createInterface({ input: child.stderr! }).on("line", (line) => {
        lines.push(line);
        if (line.includes("Press Ctrl-C to stop.")) resolve();
      });
    });
    console.log(`[measure] sandbox ready with a meeting after ${Date.now() - t0} ms`);
    expect(lines.some((l) => /meeting created: id \d+/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("?zoom=connected"))).toBe(true);
    const started = descendants(child.pid!);
    expect(started.length).toBeGreaterThan(5); // control plane, operator, service: the check below means something
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    const survivors = started.filter((p) => isAlive(p));
    const what = (pid: number) => `${pid} (${readCmdline(pid)})`;
    expect(survivors, `still running: ${survivors.map(what).join(", ")}`).toEqual([]);
  }, 240_000);
});

// A test run that crashes (SIGKILL, OOM, CI timeout) must not leave control-plane processes,
// ports or directories behind: the watchdog cleans up after it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import type { ControlPlaneState } from "../cluster/control-plane.ts";
import { probe } from "../cluster/health.ts";
import { isAlive } from "../cluster/processes.ts";
import { eventually } from "../support/eventually.ts";

function startFixture(): Promise<{ pid: number; state: ControlPlaneState }> {
  const child = spawn(process.execPath, ["test/support/plane-fixture.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).once("line", (line) => resolve({ pid: child.pid!, state: JSON.parse(line) }));
  });
}

describe("the control-plane harness", () => {
  it("stops every component and removes its directory when the process that started it is killed", async () => {
    const { pid, state } = await startFixture();
    expect(state.components.map((c) => c.name)).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]);
    expect(state.components.every((c) => isAlive(c.pid))).toBe(true);
    process.kill(pid, "SIGKILL");
    await eventually(
      () => {
        expect(state.components.filter((c) => isAlive(c.pid)).map((c) => c.name)).toEqual([]);
      },
      { timeout: 30_000 },
    );
    await eventually(() => expect(existsSync(state.dir)).toBe(false), { timeout: 15_000 });
    expect(await probe(`${state.server}/readyz`, { insecure: true })).toBe(0); // nothing listens on the port any more
  }, 180_000);
});

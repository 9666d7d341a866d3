// Test fixture: starts a control plane guarded by the watchdog, prints its state as one JSON line,
// then waits to be killed. The cleanup test SIGKILLs it to prove a crashed run leaks nothing.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startControlPlane } from "../cluster/control-plane.ts";
import { startWatchdog } from "../cluster/watchdog.ts";

const binDir = process.env["ZIO_CLUSTER_BIN"];
if (!binDir) throw new Error("ZIO_CLUSTER_BIN is not set");
const dir = await mkdtemp(join(tmpdir(), "zio-fixture-"));
startWatchdog(process.pid, dir);
const state = await startControlPlane({ binDir, dir, nodes: 1 });
process.stdout.write(`${JSON.stringify(state)}\n`);
setInterval(() => {}, 60_000);

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * Measures how many simple requests per second the emulator serves on one core, so we know it never
 * limits a benchmark (goal: >= 5,000). The emulator runs as a child pinned to CPU 0 (`taskset`), the
 * load generator as another child pinned to CPU 1; the request is `GET /v2/users/me` with a bearer
 * token (token lookup, routing, JSON body; rate limits off).
 * NB: the machine is shared, so wall-clock req/s depends on who else runs on CPU 0. The bench also
 * reads the emulator's own CPU time (/proc/<pid>/stat) over the measured window and reports
 * requests per CPU-second: what one dedicated core would serve, independent of the neighbours.
 * Usage: node test/zoom-emulator/bench.ts [seconds=5] [connections=64]
 */
const [secondsText = "5", connectionsText = "64"] = process.argv.slice(2);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

function pinned(cpu: number, args: string[]): ChildProcess {
  const [command, ...rest] = hasTaskset ? ["taskset", "-c", String(cpu), process.execPath, ...args] : [process.execPath, ...args];
  return spawn(command ?? process.execPath, rest, { stdio: ["ignore", "pipe", "inherit"] });
}

async function firstLine(child: ChildProcess): Promise<string> {
  return (await lines(child, 1))[0] ?? "";
}

async function lines(child: ChildProcess, count: number, onLine: (line: string) => void = () => undefined): Promise<string[]> {
  const seen: string[] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    seen.push(line);
    onLine(line);
    if (seen.length === count) break;
  }
  return seen;
}

/** User plus system CPU time of a process, in seconds (Linux; 0 when /proc is not there). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / CLOCK_TICKS;
  } catch {
    // NB: no /proc (macOS): the CPU-time figure is then simply not reported.
    return 0;
  }
}
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;

/** The consent flow over HTTP, as a browser would click it, then the code exchange. */
async function accessToken(url: string): Promise<string> {
  const redirectUri = "https://app.acme.example/organization/integration/zoom/redirect";
  const form = new URLSearchParams({
    response_type: "code",
    client_id: "acme-client",
    redirect_uri: redirectUri,
    state: "bench",
    login: "admin@acme.example",
  });
  const approved = await fetch(`${url}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
  const code = new URL(approved.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const basic = `Basic ${Buffer.from("acme-client:acme-secret").toString("base64")}`;
  const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri });
  const token = await fetch(`${url}/oauth/token`, { method: "POST", headers: { authorization: basic }, body });
  return ((await token.json()) as { access_token: string }).access_token;
}

const emulator = pinned(0, [here("./cli.ts"), "--no-rate-limits"]);
try {
  const url = (await firstLine(emulator)).replace("zoom-emulator listening on ", "").trim();
  const token = await accessToken(url);
  const generator = pinned(1, [here("./load-generator.ts"), `${url}/v2/users/me`, token, secondsText, connectionsText]);
  let cpuAtStart = 0;
  const output = await lines(generator, 2, (line) => {
    if (line === "measuring") cpuAtStart = cpuSeconds(emulator.pid ?? 0);
  });
  const cpuUsed = cpuSeconds(emulator.pid ?? 0) - cpuAtStart;
  const result = JSON.parse(output[1] ?? "{}") as { requestsPerSecond: number; non200: number; requests: number; seconds: number };
  await once(generator, "exit");
  const pinning = hasTaskset ? "emulator pinned to CPU 0, load generator to CPU 1" : "taskset unavailable: not pinned";
  const perCpuSecond = cpuUsed > 0 ? Math.round(result.requests / cpuUsed) : 0;
  console.log(`GET /v2/users/me, ${connectionsText} connections, ${pinning}`);
  console.log(`  wall clock: ${result.requestsPerSecond} req/s (${result.requests} requests, ${result.non200} not 200)`);
  console.log(`  emulator CPU: ${cpuUsed.toFixed(2)} s of ${result.seconds.toFixed(2)} s -> ${perCpuSecond} requests per CPU-second`);
  console.log(perCpuSecond >= 5000 ? "OK: one core serves at least 5,000 req/s" : "BELOW the 5,000 req/s goal");
} finally {
  emulator.kill("SIGTERM");
}

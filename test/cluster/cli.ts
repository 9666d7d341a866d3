// npm run cluster -- up|down|status|env : a long-lived local control plane for development.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadState, runningComponents, startControlPlane, stopControlPlane } from "./control-plane.ts";
import { crdFiles, repoRoot } from "./paths.ts";

const HELP = `Usage: npm run cluster -- <command> [--dir DIR]

Runs a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, kwok with 2 fake nodes) as local processes, built from source on first use.

Commands:
  up       start it (returns once healthy; it keeps running) and install the CRDs in crds/
  down     stop everything 'up' started and remove its directory
  status   show each component, its pid, whether it runs, and its RSS
  env      print export lines for a shell:  eval "$(npm run -s cluster -- env)"

Options:
  --dir DIR   working directory (default: .cluster/ in the project)
  -h, --help  this help
`;

async function rssMiB(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? `${(Number(kb) / 1024).toFixed(0)} MiB` : "-";
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const dir = resolve(values.dir ?? join(repoRoot, ".cluster"));
  const state = await loadState(dir);
  switch (command) {
    case "up": {
      if (state && runningComponents(state).length === state.components.length) {
        console.error(`already running at ${state.server} (kubeconfig ${state.kubeconfigPath})`);
        return 0;
      }
      if (state) await stopControlPlane(state);
      const binDir = process.env["ZIO_CLUSTER_BIN"];
      if (!binDir) throw new Error("ZIO_CLUSTER_BIN is not set: run this through `npm run cluster`");
      const started = await startControlPlane({
        binDir,
        dir,
        crdFiles: await crdFiles(),
        progress: (m) => console.error(`[cluster] ${m}`),
      });
      console.error(`[cluster] up. Use it with:  eval "$(npm run -s cluster -- env)"  then  kubectl get nodes`);
      console.error(`[cluster] kubeconfig: ${started.kubeconfigPath}`);
      return 0;
    }
    case "down":
      if (!state) {
        console.error(`nothing to stop in ${dir}`);
        return 0;
      }
      await stopControlPlane(state);
      console.error("[cluster] stopped; every component exited and its directory is removed");
      return 0;
    case "status": {
      if (!state) {
        console.log(`not running (no state in ${dir})`);
        return 1;
      }
      const alive = new Set(runningComponents(state).map((c) => c.pid));
      console.log(`server ${state.server}  kubeconfig ${state.kubeconfigPath}  started ${state.startedAt} (${state.startMs} ms)`);
      for (const c of state.components) {
        console.log(
          `${c.name.padEnd(24)} pid ${String(c.pid).padEnd(8)} ${alive.has(c.pid) ? "running" : "STOPPED"}  rss ${await rssMiB(c.pid)}`,
        );
      }
      return alive.size === state.components.length ? 0 : 1;
    }
    case "env":
      if (!state) throw new Error(`no control plane in ${dir}: run 'npm run cluster -- up' first`);
      console.log(`export KUBECONFIG=${JSON.stringify(state.kubeconfigPath)}`);
      console.log(`export PATH=${JSON.stringify(state.binDir)}:"$PATH"`);
      return 0;
    default:
      console.error(`unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[cluster] ERROR: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

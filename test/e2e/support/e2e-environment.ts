// Everything the end-to-end suite runs, wired once per test file: a namespace on the shared control
// plane, the Zoom emulator, the real operator (watching only that namespace), the pod runner (the
// real service process for each of the tenant's pods), real Traefik for app.<domain> (routing as the
// operator's Ingress or HTTPRoute says, with the tenant's TLS Secret) and the admin's Chromium. `useE2eEnvironment()` starts it before the
// file and stops every part after it, checking that no process it started is left running.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { Agent } from "undici";
import { afterAll, beforeAll } from "vitest";
import { createLogger } from "../../../common/logger.ts";
import { isAlive } from "../../cluster/processes.ts";
import { type PodRunner, startPodRunner } from "../../pod-runner/pod-runner.ts";
import { clusterEnv, kubectl, useNamespace } from "../../support/cluster-env.ts";
import { type OperatorProcess, startOperator } from "../../support/operator-process.ts";
import { startZoomEmulator, type ZoomEmulator } from "../../zoom-emulator/index.ts";
import { bookingAppPages } from "./booking-app.ts";
import { type E2eBrowser, launchBrowser } from "./browser.ts";
import { clusterDispatcher } from "./cluster-network.ts";
import { type RoutingMode, startTraefikEdge, type TraefikEdge } from "./traefik-edge.ts";

/** The tenant of the default emulator seed: app acme-client, redirect URL on app.acme.example. */
export const TENANT = {
  name: "acme",
  domain: "acme.example",
  appHost: "app.acme.example",
  afterConnectPath: "/organization/integration/zoom",
  clientId: "acme-client",
  clientSecret: "acme-secret",
  adminLogin: "admin@acme.example",
} as const;

export interface E2eEnvironment {
  readonly namespace: string;
  readonly zoom: ZoomEmulator;
  readonly operator: OperatorProcess;
  readonly runner: PodRunner;
  /** Traefik in front of app.<domain>. */
  readonly edge: TraefikEdge;
  readonly browser: E2eBrowser;
  /** Reaches `<service>.<namespace>.svc` as a booking-app pod would. */
  readonly dispatcher: Agent;
  /** Every pid the pod runner has run so far (sampled), for the leak check. */
  readonly podPids: ReadonlySet<number>;
  /** Operator, pod runner, service and Traefik logs, and the browser console: failure output. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

const tail = (lines: readonly string[], n: number) => lines.slice(-n).join("\n");

async function containerLogs(runner: PodRunner): Promise<string> {
  const dir = join(runner.workDir, "logs");
  const files = await readdir(dir).catch(() => [] as string[]);
  const parts = await Promise.all(
    files.map(async (f) => `-- ${f} --\n${tail((await readFile(join(dir, f), "utf8").catch(() => "")).trimEnd().split("\n"), 25)}`),
  );
  return parts.join("\n");
}

export async function startE2eEnvironment(namespace: string, mode: RoutingMode = "ingress"): Promise<E2eEnvironment> {
  const { kc, kubeconfigPath } = clusterEnv();
  const cleanups: [string, () => Promise<void>][] = [];
  const stopAll = async () => {
    const failures: string[] = [];
    for (const [what, cleanup] of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`));
    }
    cleanups.length = 0;
    if (failures.length > 0) throw new Error(`e2e teardown failed:\n  ${failures.join("\n  ")}`);
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), "zio-e2e-"));
    cleanups.push(["remove the work directory", () => rm(dir, { recursive: true, force: true })]);

    const zoom = await startZoomEmulator();
    cleanups.push(["close the Zoom emulator", () => zoom.close()]);

    const operator = await startOperator({
      kubeconfigPath,
      identity: "e2e-operator",
      env: { WATCH_NAMESPACES: namespace, POD_NAMESPACE: namespace, LOG_LEVEL: "info" },
    });
    cleanups.push([
      "stop the operator",
      async () => {
        await operator.stop();
        if (isAlive(operator.pid)) throw new Error(`operator ${operator.pid} is still running`);
      },
    ]);
    // NB: runs before the operator stops: a ZoomIntegration left by a failed test keeps its finalizer
    // (and would keep the namespace Terminating) unless a live operator releases it.
    cleanups.push(["delete a ZoomIntegration left behind", () => deleteLeftoverIntegrations(namespace)]);

    const runnerLog: string[] = [];
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => runnerLog.push(...chunk.toString("utf8").trimEnd().split("\n")));
    const runner = await startPodRunner({
      kc,
      namespaces: [namespace],
      log: createLogger({ level: "info", name: "pod-runner", destination: stream }),
    });
    const podPids = new Set<number>();
    const sample = () => {
      for (const p of runner.processes()) if (p.pid !== undefined) podPids.add(p.pid);
    };
    const sampler = setInterval(sample, 250);
    cleanups.push([
      "stop the pod runner",
      async () => {
        sample();
        clearInterval(sampler);
        await runner.stop();
        const alive = [...podPids].filter(isAlive);
        if (alive.length > 0) throw new Error(`service processes still running: ${alive.join(", ")}`);
      },
    ]);

    const edge = await startTraefikEdge({
      kc,
      kubectl: { bin: clusterEnv().kubectl, kubeconfigPath },
      namespace,
      dir,
      host: TENANT.appHost,
      mode,
      appHandler: bookingAppPages(TENANT.afterConnectPath),
    });
    cleanups.push(["stop Traefik", () => edge.close()]);

    const dispatcher = clusterDispatcher(kc);
    cleanups.push(["close the booking app's dispatcher", () => dispatcher.close()]);

    const browser = await launchBrowser({ hosts: { [TENANT.appHost]: `${edge.address}:${edge.port}` } });
    cleanups.push(["close the browser", () => browser.close()]);

    return {
      namespace,
      zoom,
      operator,
      runner,
      edge,
      browser,
      dispatcher,
      podPids,
      logs: async () =>
        [
          `--- operator (last 60 lines) ---\n${tail(operator.lines, 60)}`,
          `--- pod runner (last 40 lines) ---\n${tail(runnerLog, 40)}`,
          `--- service containers ---\n${await containerLogs(runner)}`,
          `--- Traefik (last 20 requests) ---\n${(await edge.requests())
            .slice(-20)
            .map((r) => JSON.stringify(r))
            .join("\n")}`,
          `--- Traefik log ---\n${await edge.log()}`,
          `--- browser console ---\n${tail(browser.console, 20)}`,
        ].join("\n"),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch((e: unknown) => console.error(e));
    throw error;
  }
}

async function deleteLeftoverIntegrations(namespace: string): Promise<void> {
  const res = await kubectl(["delete", "zoomintegrations", "--all", "-n", namespace, "--timeout=40s"]);
  if (res.code !== 0) throw new Error(`kubectl delete zoomintegrations: ${res.stderr}`);
}

/** Registers the hooks: a namespace, then the environment in it, stopped after the file. */
export function useE2eEnvironment(prefix: string, mode: RoutingMode = "ingress"): { readonly env: E2eEnvironment } {
  let env: E2eEnvironment | undefined;
  const ns = useNamespace(prefix, () => env?.logs() ?? "");
  beforeAll(async () => {
    env = await startE2eEnvironment(ns.name, mode);
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  }, 120_000);
  return {
    get env() {
      if (!env) throw new Error("the e2e environment has not started");
      return env;
    },
  };
}

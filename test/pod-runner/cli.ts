// `node test/pod-runner/cli.ts [options]`: the pod runner as a standalone process (sandbox, manual runs).
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { createLogger, type LogLevel } from "../../common/logger.ts";
import { commandTable, parseCommandRule, SERVICE_RULE } from "./commands.ts";
import { DEFAULT_LABEL_SELECTOR, startPodRunner } from "./pod-runner.ts";

const HELP = `Usage: node test/pod-runner/cli.ts [options]

Makes kwok's fake pods real: for every Running pod it selects, runs a local process per container
on the pod's loopback IP (127.x.y.z), with the pod's env, envFrom, downward-API fields and its
Secret/ConfigMap volumes as files (kept up to date), a kubeconfig for the pod's ServiceAccount
(KUBECONFIG) and BIND_ADDRESS=<pod IP>; sets Ready from the readiness probe; stops the process
when the pod goes away. Pods labelled ${DEFAULT_LABEL_SELECTOR} get their readiness only from here
(the test control plane's kwok leaves it to us).

Options:
  --kubeconfig <file>     the runner's credentials (default: $KUBECONFIG, then ~/.kube/config)
  -n, --namespace <ns>    watch this namespace (repeatable; default: all namespaces)
  -l, --selector <sel>    label selector of the pods to run (default: ${DEFAULT_LABEL_SELECTOR})
  --command <ARGS=CMD>    run containers whose args are ARGS (space separated) with the command
                          line CMD, e.g. 'service=node service/main.ts' (repeatable; first match
                          wins; default: 'service=node service/main.ts')
  --env <K=V>             extra env for every process, e.g. LOG_LEVEL=debug (repeatable)
  --work-dir <dir>        pod directories and logs (default: a temporary directory)
  --probe-interval <ms>   cap on readiness probe periods (default 1000)
  --log-level <level>     runner log level (default info)
  -h, --help              this help

Stop with Ctrl-C (SIGINT) or SIGTERM: every process is stopped and its pod marked not ready.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: "string" },
      namespace: { type: "string", short: "n", multiple: true },
      selector: { type: "string", short: "l" },
      command: { type: "string", multiple: true },
      env: { type: "string", multiple: true },
      "work-dir": { type: "string" },
      "probe-interval": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const kc = new KubeConfig();
  if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
  else kc.loadFromDefault();
  const extraEnv = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const rules = (values.command?.length ? values.command.map(parseCommandRule) : [SERVICE_RULE]).map((r) => ({
    ...r,
    run: { ...r.run, env: { ...r.run.env, ...extraEnv } },
  }));
  const runner = await startPodRunner({
    kc,
    namespaces: values.namespace,
    labelSelector: values.selector,
    commandFor: commandTable(rules),
    workDir: values["work-dir"],
    maxProbeIntervalMs: values["probe-interval"] === undefined ? undefined : Number(values["probe-interval"]),
    log: createLogger({ level: (values["log-level"] ?? "info") as LogLevel, name: "pod-runner", destination: process.stderr }),
  });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await runner.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[pod-runner] ERROR: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

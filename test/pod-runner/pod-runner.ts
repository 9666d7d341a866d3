// The pod runner: makes kwok's fake pods real. It watches the pods kwok has made Running (those with
// EXTERNAL_READINESS_LABEL by default, whose readiness kwok leaves to us: see
// ../cluster/kwok-stages.ts), runs a local process per container on the pod's loopback IP, keeps
// their Secret/ConfigMap volumes up to date, reports Ready from the readiness probe through
// pods/status, and stops the process when the pod goes away. Level-based: every event only
// enqueues the pod's key; `reconcile` compares the pod with what runs.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig, KubernetesObject, V1ConfigMap, V1Pod, V1Secret } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { createLogger } from "../../common/logger.ts";
import { type RunningInformer, startInformer } from "../../operator/runtime/informer.ts";
import { KubeHttpError, rawList, rawRequest, resourcePath } from "../../common/kube/raw-client.ts";
import { WorkQueue } from "../../operator/runtime/work-queue.ts";
import { EXTERNAL_READINESS_LABEL, EXTERNAL_READINESS_VALUE } from "../cluster/kwok-stages.ts";
import { startWatchdog, stopWatchdog } from "../cluster/watchdog.ts";
import { type CommandFor, type ContainerCommand, commandTable } from "./commands.ts";
import { containerLogFile, PodInstance } from "./pod-instance.ts";
import { notReadyPatch, statusPatch } from "./pod-status.ts";
import { isLoopback } from "./probes.ts";
import type { ObjectSources } from "./sources.ts";

export const DEFAULT_LABEL_SELECTOR = `${EXTERNAL_READINESS_LABEL}=${EXTERNAL_READINESS_VALUE}`;

export interface PodRunnerProps {
  /** Credentials of the runner itself (it reads pods, Secrets, ConfigMaps, writes pods/status, mints tokens). */
  readonly kc: KubeConfig;
  /** @default every namespace */
  readonly namespaces?: readonly string[];
  /** Which pods to run. @default DEFAULT_LABEL_SELECTOR (the pods kwok leaves unready for us) */
  readonly labelSelector?: string;
  /** @default commandTable(): the tenant chart's service container runs `node service/main.ts` */
  readonly commandFor?: CommandFor;
  /** Pod directories and logs go here. @default a new temporary directory, removed by stop() */
  readonly workDir?: string;
  readonly log?: Logger;
  /** Cap on readiness probe periods and initial delays (liveness keeps its own). @default 1000 */
  readonly maxProbeIntervalMs?: number;
  /** Cap on a pod's terminationGracePeriodSeconds before SIGKILL. @default 5000 */
  readonly maxGraceMs?: number;
}

export interface RunningProcessInfo {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  readonly podIP: string;
  readonly container: string;
  /** undefined while the container waits to be restarted. */
  readonly pid: number | undefined;
  readonly ready: boolean;
  readonly restarts: number;
  /** The pod's directory: volumes/<name>/, kubeconfig, tmp/. */
  readonly dir: string;
  readonly logFile: string;
}

export interface PodRunner {
  readonly workDir: string;
  processes(): RunningProcessInfo[];
  /** Stops every process, marks their pods not ready, stops watching; leaves nothing running. */
  stop(): Promise<void>;
}

const RESYNC_MS = 10_000;
const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

export async function startPodRunner(props: PodRunnerProps): Promise<PodRunner> {
  const { kc } = props;
  const log = props.log ?? createLogger({ level: "info", name: "pod-runner", destination: process.stderr });
  const ownDir = props.workDir === undefined;
  const workDir = props.workDir ?? (await mkdtemp(join(tmpdir(), "zio-pod-runner-")));
  const logDir = join(workDir, "logs");
  await mkdir(logDir, { recursive: true });
  // NB: if this process dies without stop(), the watchdog kills every group listed in <workDir>/pids.
  const watchdog = startWatchdog(process.pid, workDir);
  const commandFor = props.commandFor ?? commandTable();
  const maxProbeIntervalMs = props.maxProbeIntervalMs ?? 1000;
  const maxGraceMs = props.maxGraceMs ?? 5000;
  const labelSelector = props.labelSelector ?? DEFAULT_LABEL_SELECTOR;
  const scopes = props.namespaces?.length ? props.namespaces : [undefined];
  const instances = new Map<string, PodInstance>();
  const lastPatch = new Map<string, string>(); // key -> resourceVersion + patch last sent for it
  const unrunnable = new Set<string>(); // pod uids already reported as having no command
  const informers: RunningInformer<KubernetesObject>[] = [];
  let started = false;

  const watch = async <T extends KubernetesObject>(plural: string, onEvent: (o: T) => void, selector?: string) => {
    const watched = await watchScopes<T>({ kc, log, scopes, plural, onEvent, selector });
    informers.push(...watched.informers);
    return watched;
  };

  const queue = new WorkQueue((key) => reconcile(key), {
    workers: 4,
    maxDelayMs: 10_000,
    onError: (key, error, retryInMs) => log.warn({ pod: key, err: error, retryInMs }, "could not run pod; will retry"),
  });
  const enqueue = (key: string) => {
    if (started) queue.add(key);
  };
  const enqueueNamespace = (o: KubernetesObject) => {
    for (const key of instances.keys()) if (key.startsWith(`${o.metadata?.namespace}/`)) enqueue(key);
  };
  const watchAll = async () => {
    try {
      const secrets = await watch<V1Secret>("secrets", enqueueNamespace);
      const configMaps = await watch<V1ConfigMap>("configmaps", enqueueNamespace);
      return { secrets, configMaps, pods: await watch<V1Pod>("pods", (o) => enqueue(keyOf(o)), labelSelector) };
    } catch (error) {
      await Promise.all(informers.map((i) => i.stop()));
      stopWatchdog(watchdog);
      if (ownDir) await rm(workDir, { recursive: true, force: true });
      throw error;
    }
  };
  const { secrets, configMaps, pods } = await watchAll();
  const sources: ObjectSources = { secret: secrets.get, configMap: configMaps.get };

  const writePids = () =>
    writeFile(
      join(workDir, "pids"),
      processes()
        .flatMap((p) => (p.pid === undefined ? [] : [`${p.pid}\n`]))
        .join(""),
    );

  const commandsFor = (pod: V1Pod): Map<string, ContainerCommand> | undefined => {
    const commands = new Map<string, ContainerCommand>();
    for (const c of pod.spec?.containers ?? []) {
      const command = commandFor(pod, c);
      if (!command) {
        if (!unrunnable.has(pod.metadata?.uid ?? ""))
          log.warn({ pod: keyOf(pod), container: c.name, image: c.image, args: c.args }, "no command for this container; pod not run");
        unrunnable.add(pod.metadata?.uid ?? "");
        return undefined;
      }
      commands.set(c.name, command);
    }
    return commands;
  };

  const graceMs = (pod: V1Pod) => Math.min((pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000, maxGraceMs);

  async function reconcile(key: string): Promise<void> {
    const [namespace = "", name = ""] = key.split("/");
    const pod = pods.get(namespace, name);
    const runnable =
      pod !== undefined && !pod.metadata?.deletionTimestamp && pod.status?.phase === "Running" && isLoopback(pod.status.podIP);
    let instance = instances.get(key);
    if (instance && (!runnable || instance.uid !== pod.metadata?.uid)) {
      instances.delete(key);
      lastPatch.delete(key);
      log.info({ pod: key, uid: instance.uid }, "pod gone; stopping its processes");
      await instance.stop(graceMs(instance.pod));
      instance = undefined;
      await writePids();
    }
    if (!runnable) {
      if (pod?.status?.podIP && !isLoopback(pod.status.podIP))
        log.warn({ pod: key, podIP: pod.status.podIP }, "pod IP is not loopback; not running it");
      return;
    }
    if (!instance) {
      const commands = commandsFor(pod);
      if (!commands) return;
      const dir = join(workDir, "pods", `${namespace}_${name}_${(pod.metadata?.uid ?? "").slice(0, 8)}`);
      instance = await PodInstance.start({
        pod,
        commands,
        dir,
        logDir,
        kc,
        sources,
        maxProbeIntervalMs,
        onChange: () => enqueue(key),
        log,
      });
      instances.set(key, instance);
      log.info({ pod: key, podIP: instance.podIP, dir }, "pod running");
    } else {
      await instance.syncVolumes();
    }
    await writePids();
    await patchStatus(key, pod, instance);
  }

  async function patchStatus(key: string, pod: V1Pod, instance: PodInstance): Promise<void> {
    const patch = statusPatch(pod, instance.states(), new Date());
    if (!patch) return;
    // NB: the cache may not show our last patch yet; do not send the same one twice for one resourceVersion.
    const fingerprint = `${pod.metadata?.resourceVersion} ${JSON.stringify(instance.states())}`;
    if (lastPatch.get(key) === fingerprint) return;
    await sendPodStatus(kc, pod, patch);
    lastPatch.set(key, fingerprint);
  }

  const processes = () => [...instances.values()].flatMap((i) => processInfo(i, logDir));

  const enqueueAll = () => {
    for (const p of pods.list()) enqueue(keyOf(p));
    for (const key of instances.keys()) enqueue(key);
  };
  started = true;
  enqueueAll();
  const resync = setInterval(enqueueAll, RESYNC_MS);
  resync.unref();
  log.info({ namespaces: props.namespaces ?? "all", labelSelector, workDir }, "pod runner started");

  let stopping: Promise<void> | undefined;
  return {
    workDir,
    processes,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };

  async function stop(): Promise<void> {
    clearInterval(resync);
    await queue.stop();
    await Promise.all(informers.map((i) => i.stop()));
    const running = [...instances.values()];
    instances.clear();
    await Promise.all(running.map((i) => i.stop(graceMs(i.pod))));
    await Promise.all(running.map((i) => markNotReady(pods.get(i.pod.metadata?.namespace ?? "", i.pod.metadata?.name ?? ""))));
    await writePids();
    stopWatchdog(watchdog);
    if (ownDir) await rm(workDir, { recursive: true, force: true });
    log.info({ stopped: running.length }, "pod runner stopped");
  }

  /** Best effort: a stopped runner is a dead node; its pods should not look available. */
  async function markNotReady(pod: V1Pod | undefined): Promise<void> {
    const patch = pod && notReadyPatch(pod, new Date());
    if (!pod || !patch) return;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([
      sendPodStatus(kc, pod, patch).catch((error) => log.debug({ err: error, pod: keyOf(pod) }, "could not mark pod not ready")),
      timeout,
    ]);
  }
}

interface WatchProps<T> {
  readonly kc: KubeConfig;
  readonly log: Logger;
  readonly scopes: readonly (string | undefined)[];
  readonly plural: string;
  readonly onEvent: (o: T) => void;
  readonly selector?: string;
}

/** Informers for a core `plural` in every scope (namespace, or undefined = all), and lookups across them. */
async function watchScopes<T extends KubernetesObject>(props: WatchProps<T>) {
  const { kc, plural, selector } = props;
  const informers = await Promise.all(
    props.scopes.map((ns) =>
      startInformer<KubernetesObject>({
        kc,
        log: props.log,
        labelSelector: selector,
        onEvent: (o) => props.onEvent(o as T),
        path: resourcePath("v1", plural, ns),
        list: (each) => rawList(kc, "v1", plural, { namespace: ns, labelSelector: selector, each }),
      }),
    ),
  );
  return {
    informers,
    get: (namespace: string, name: string) =>
      informers.map((i) => i.cache.get(name, namespace)).find((o) => o !== undefined) as T | undefined,
    list: () => informers.flatMap((i) => i.cache.list() as T[]),
  };
}

/** Strategic-merge patch of pods/status; a pod that is gone already has nothing to report. */
async function sendPodStatus(kc: KubeConfig, pod: V1Pod, patch: object): Promise<void> {
  const path = `${resourcePath("v1", "pods", pod.metadata?.namespace, pod.metadata?.name)}/status`;
  try {
    await rawRequest(kc, { method: "PATCH", path, body: patch, contentType: "application/strategic-merge-patch+json" });
  } catch (error) {
    if (!(error instanceof KubeHttpError && error.code === 404)) throw error;
  }
}

function processInfo(i: PodInstance, logDir: string): RunningProcessInfo[] {
  const { namespace = "", name = "" } = i.pod.metadata ?? {};
  return i.states().map((s) => ({
    namespace,
    pod: name,
    uid: i.uid,
    podIP: i.podIP,
    container: s.name,
    pid: s.pid,
    ready: s.ready,
    restarts: s.restarts,
    dir: i.dir,
    logFile: containerLogFile(logDir, i.pod, s.name),
  }));
}

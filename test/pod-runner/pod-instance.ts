// One pod the runner runs: its directory (volumes, kubeconfig, logs), its containers' processes,
// and the volumes kept up to date while it runs.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { repoRoot } from "../cluster/paths.ts";
import type { ContainerCommand } from "./commands.ts";
import { ContainerProcess, type ContainerState } from "./container-process.ts";
import { containerEnv } from "./env.ts";
import { writeServiceAccountKubeconfig } from "./service-account.ts";
import type { ObjectSources } from "./sources.ts";
import { filesDigest, volumeContent, writeVolumeAtomically } from "./volumes.ts";

/** The env variable that tells the process which address to listen on (service/config.ts reads it). */
export const BIND_ADDRESS_ENV = "BIND_ADDRESS";

/** Where a container's output goes inside the runner's log directory. */
export function containerLogFile(logDir: string, pod: V1Pod, container: string): string {
  return join(logDir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${container}.log`);
}

export interface PodInstanceProps {
  readonly pod: V1Pod;
  /** Container name -> command, one for every container of the pod. */
  readonly commands: ReadonlyMap<string, ContainerCommand>;
  readonly dir: string;
  /** Where container output goes (kept after the pod's directory is removed). */
  readonly logDir: string;
  readonly kc: KubeConfig;
  readonly sources: ObjectSources;
  readonly maxProbeIntervalMs: number;
  readonly onChange: () => void;
  readonly log: Logger;
}

export class PodInstance {
  readonly uid: string;
  readonly podIP: string;
  readonly dir: string;
  readonly pod: V1Pod;
  private readonly digests = new Map<string, string>();
  private readonly containers: ContainerProcess[] = [];
  private readonly props: PodInstanceProps;

  private constructor(props: PodInstanceProps) {
    this.props = props;
    this.pod = props.pod;
    this.uid = props.pod.metadata?.uid ?? "";
    this.podIP = props.pod.status?.podIP ?? "";
    this.dir = props.dir;
  }

  /** Materialises volumes, mints the token, starts every container; cleans up if any step fails. */
  static async start(props: PodInstanceProps): Promise<PodInstance> {
    const instance = new PodInstance(props);
    try {
      await instance.startContainers();
      return instance;
    } catch (error) {
      await instance.stop(0);
      throw error;
    }
  }

  states(): ContainerState[] {
    return this.containers.map((c) => c.state());
  }

  /** Rewrites the volumes whose Secret/ConfigMap content changed (atomically). */
  async syncVolumes(): Promise<void> {
    for (const volume of this.pod.spec?.volumes ?? []) {
      const content = volumeContent(this.pod, volume, this.props.sources);
      if (content.kind !== "files") continue;
      const digest = filesDigest(content.files);
      if (this.digests.get(volume.name) === digest) continue;
      await writeVolumeAtomically(this.volumeDir(volume.name), content.files);
      if (this.digests.has(volume.name)) this.props.log.info({ pod: this.pod.metadata?.name, volume: volume.name }, "volume updated");
      this.digests.set(volume.name, digest);
    }
  }

  /** Stops every container (SIGTERM, SIGKILL after `graceMs`) and removes the pod's directory. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all(this.containers.map((c) => c.stop(graceMs)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private volumeDir(name: string): string {
    return join(this.dir, "volumes", name);
  }

  private async startContainers(): Promise<void> {
    const { pod, log } = this.props;
    await mkdir(join(this.dir, "tmp"), { recursive: true });
    for (const volume of pod.spec?.volumes ?? []) {
      const content = volumeContent(pod, volume, this.props.sources);
      if (content.kind === "dir") {
        await mkdir(this.volumeDir(volume.name), { recursive: true });
        if (content.note) log.warn({ pod: pod.metadata?.name, volume: volume.name }, content.note);
      }
    }
    await this.syncVolumes();
    const kubeconfig = join(this.dir, "kubeconfig");
    const hasToken = await writeServiceAccountKubeconfig(this.props.kc, pod, kubeconfig);
    for (const container of pod.spec?.containers ?? []) {
      const command = this.props.commands.get(container.name);
      if (!command) throw new Error(`no command for container ${container.name}`);
      const mounts = new Map(
        (container.volumeMounts ?? []).map((m): [string, string] => [m.mountPath, join(this.volumeDir(m.name), m.subPath ?? "")]),
      );
      const env = {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: this.dir,
        HOSTNAME: pod.metadata?.name ?? "",
        TMPDIR: mounts.get("/tmp") ?? join(this.dir, "tmp"),
        ...containerEnv({ pod, container, sources: this.props.sources, mounts }),
        [BIND_ADDRESS_ENV]: this.podIP,
        ...(hasToken ? { KUBECONFIG: kubeconfig } : {}),
        ...command.env,
      };
      this.containers.push(
        new ContainerProcess({
          container,
          command,
          env,
          cwd: command.cwd ?? repoRoot,
          logFile: containerLogFile(this.props.logDir, pod, container.name),
          host: this.podIP,
          maxProbeIntervalMs: this.props.maxProbeIntervalMs,
          onChange: this.props.onChange,
          log: log.child({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` }),
        }),
      );
    }
  }
}

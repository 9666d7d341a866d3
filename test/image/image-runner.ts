// Runs a program from a built image's own filesystem, as a pod would but without a container engine:
// the image is mounted by buildah, and each run gets a private mount namespace (unshare) in which the
// root is a read-only bind of that mount, /tmp a fresh tmpfs (the pods' emptyDir), /proc and /dev the
// host's, and the given host directories are bound at the same paths under /tmp; then chroot drops to
// the image's user. The network is the host's: servers on 127.0.0.1 are reached as they are.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const STORAGE = ["--storage-driver", "vfs"];

export interface ImageConfig {
  readonly entrypoint: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user: string;
  readonly workingDir: string;
}

export interface MountedImage {
  readonly image: string;
  readonly rootfs: string;
  readonly config: ImageConfig;
  /** The command line that runs `args` through the image's entrypoint, read-only, as its user. */
  command(args: readonly string[], binds?: readonly string[]): string[];
  remove(): Promise<void>;
}

const buildah = async (args: readonly string[]) => (await run("buildah", [...STORAGE, ...args], { maxBuffer: 16 << 20 })).stdout.trim();

interface OciConfig {
  readonly Entrypoint?: string[];
  readonly Env?: string[];
  readonly User?: string;
  readonly WorkingDir?: string;
}

/** The entrypoint, environment and user the image declares (OCI config). */
async function imageConfig(image: string): Promise<ImageConfig> {
  // NB: buildah 1.28's --format has no `json` function: the whole inspection is JSON already.
  const inspected = JSON.parse(await buildah(["inspect", "--type", "image", image])) as { OCIv1: { config: OciConfig } };
  const config = inspected.OCIv1.config;
  const env = Object.fromEntries((config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  return { entrypoint: config.Entrypoint ?? [], env, user: config.User ?? "", workingDir: config.WorkingDir ?? "/" };
}

// NB: `mount --bind root root` then `remount,ro`: the submounts made before (tmpfs, proc, binds)
// keep their own flags, so /tmp stays writable and everything else is read-only.
const SANDBOX = `set -e
root=$1; user=$2; n=$3; shift 3
mount --bind "$root" "$root"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
while [ "$n" -gt 0 ]; do mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift; n=$((n - 1)); done
mount -o remount,bind,ro "$root"
exec chroot --userspec="$user" "$root" "$@"`;

export async function mountImage(image: string): Promise<MountedImage> {
  const config = await imageConfig(image);
  const container = await buildah(["from", "--pull-never", image]);
  const rootfs = await buildah(["mount", container]);
  return {
    image,
    rootfs,
    config,
    command(args, binds = []) {
      for (const bind of binds) if (!bind.startsWith("/tmp/")) throw new Error(`binds must be under /tmp (a tmpfs in the image): ${bind}`);
      return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        SANDBOX,
        "sh",
        rootfs,
        config.user,
        String(binds.length),
        ...binds,
        ...config.entrypoint,
        ...args,
      ];
    },
    remove: async () => {
      await buildah(["umount", container]).catch(() => "");
      await buildah(["rm", container]);
    },
  };
}

/** The content-addressed tag `npm run image` built (or found cached) for the current tree. */
export async function buildImage(root: string): Promise<string> {
  const { stdout } = await run("bash", ["scripts/run.sh", "image", "--print-tag"], { cwd: root, maxBuffer: 16 << 20, timeout: 1_800_000 });
  return stdout.trim().split("\n").pop() ?? "";
}

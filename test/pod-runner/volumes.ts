// A pod's volumes as local directories. Secret, ConfigMap and projected (Secret/ConfigMap sources)
// volumes become files, written like kubelet's AtomicWriter: each version in its own `..<stamp>`
// directory, published by renaming a `..data` symlink over the old one, with the visible names as
// symlinks through `..data`, so a reader never sees half an update. emptyDir is an empty directory.
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import type { V1KeyToPath, V1Pod, V1Volume } from "@kubernetes/client-node";
import { MissingSourceError, type ObjectSources, referencedEntries } from "./sources.ts";

export interface VolumeFile {
  readonly data: Buffer;
  readonly mode: number;
}

/** What a volume holds: files (kept up to date) or a plain directory (emptyDir, unsupported types). */
export type VolumeContent =
  | { readonly kind: "files"; readonly files: ReadonlyMap<string, VolumeFile> }
  | { readonly kind: "dir"; readonly note?: string };

const DEFAULT_MODE = 0o644;

interface Projection {
  readonly kind: "Secret" | "ConfigMap";
  readonly name: string;
  readonly items?: readonly V1KeyToPath[];
  readonly optional?: boolean;
}

function safePath(path: string): string {
  const p = normalize(path);
  if (p.startsWith("/") || p.startsWith("..")) throw new Error(`volume item path ${JSON.stringify(path)} is not allowed`);
  return p;
}

function project(namespace: string, sources: ObjectSources, src: Projection, defaultMode: number, into: Map<string, VolumeFile>): void {
  const values = referencedEntries(sources, namespace, src.kind, src.name);
  if (!values) {
    if (src.optional) return;
    throw new MissingSourceError(`${src.kind} ${namespace}/${src.name} (volume)`);
  }
  if (!src.items?.length) {
    for (const [key, data] of values) into.set(safePath(key), { data, mode: defaultMode });
    return;
  }
  for (const item of src.items) {
    const data = values.get(item.key);
    if (data === undefined) {
      if (src.optional) continue;
      throw new MissingSourceError(`${src.kind} ${namespace}/${src.name} key ${item.key} (volume)`);
    }
    into.set(safePath(item.path), { data, mode: item.mode ?? defaultMode });
  }
}

/** The files a volume should hold now; throws MissingSourceError when a required source is absent. */
export function volumeContent(pod: V1Pod, volume: V1Volume, sources: ObjectSources): VolumeContent {
  const ns = pod.metadata?.namespace ?? "";
  const files = new Map<string, VolumeFile>();
  if (volume.secret) {
    const s = volume.secret;
    project(
      ns,
      sources,
      { kind: "Secret", name: s.secretName ?? "", items: s.items, optional: s.optional },
      s.defaultMode ?? DEFAULT_MODE,
      files,
    );
    return { kind: "files", files };
  }
  if (volume.configMap) {
    const c = volume.configMap;
    project(
      ns,
      sources,
      { kind: "ConfigMap", name: c.name ?? "", items: c.items, optional: c.optional },
      c.defaultMode ?? DEFAULT_MODE,
      files,
    );
    return { kind: "files", files };
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    for (const src of volume.projected.sources ?? []) {
      if (src.secret)
        project(
          ns,
          sources,
          { kind: "Secret", name: src.secret.name ?? "", items: src.secret.items, optional: src.secret.optional },
          mode,
          files,
        );
      if (src.configMap)
        project(
          ns,
          sources,
          { kind: "ConfigMap", name: src.configMap.name ?? "", items: src.configMap.items, optional: src.configMap.optional },
          mode,
          files,
        );
    }
    return { kind: "files", files };
  }
  if (volume.emptyDir) return { kind: "dir" };
  return { kind: "dir", note: `volume ${volume.name}: type not supported by the pod runner, left empty` };
}

/** A stable digest of the files (names, modes, bytes): unchanged digest, nothing to write. */
export function filesDigest(files: ReadonlyMap<string, VolumeFile>): string {
  const hash = createHash("sha256");
  for (const [path, f] of [...files.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    hash.update(`${path}\0${f.mode}\0${f.data.length}\0`).update(f.data);
  }
  return hash.digest("hex");
}

/** Publishes `files` in `dir` atomically (see the file comment); removes the previous version. */
export async function writeVolumeAtomically(dir: string, files: ReadonlyMap<string, VolumeFile>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const version = `..${new Date().toISOString().replace(/[:.]/g, "_")}.${randomBytes(4).toString("hex")}`;
  for (const [path, f] of files) {
    const target = join(dir, version, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.data, { mode: 0o600 });
    await chmod(target, f.mode);
  }
  await mkdir(join(dir, version), { recursive: true }); // an empty volume still gets a version
  const previous = await readlink(join(dir, "..data")).catch(() => undefined);
  await rm(join(dir, "..data_tmp"), { force: true });
  await symlink(version, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  const visible = new Set([...files.keys()].map((p) => p.split("/")[0] ?? p));
  for (const name of await readdir(dir)) {
    if (name.startsWith("..") || visible.has(name)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
  }
  for (const name of visible)
    await symlink(join("..data", name), join(dir, name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
  if (previous && previous !== version) await rm(join(dir, previous), { recursive: true, force: true });
}

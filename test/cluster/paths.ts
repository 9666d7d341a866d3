import { readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The project's generated CRD manifests (crds/*.yaml, or ZIO_CRD_DIR), installed into every test control plane. */
export async function crdFiles(): Promise<string[]> {
  const dir = process.env["ZIO_CRD_DIR"] ?? join(repoRoot, "crds");
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(".yaml"))
    .sort()
    .map((n) => join(dir, n));
}

// npm run generate: writes the files generated from the ZoomIntegration schema (common/api).
// With --check it writes nothing and exits 1 naming each stale file, so CI fails on drift.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GeneratedFile, generatedFiles } from "../common/api/generated-files.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

async function isStale(file: GeneratedFile): Promise<boolean> {
  const current = await readFile(join(root, file.path), "utf8").catch(() => undefined);
  return current !== file.content;
}

async function check(files: GeneratedFile[]): Promise<number> {
  const stale = [];
  for (const file of files) if (await isStale(file)) stale.push(file.path);
  if (stale.length === 0) return 0;
  console.error(`Generated files are stale: ${stale.join(", ")}\nRun \`npm run generate\` and commit the result.`);
  return 1;
}

async function write(files: GeneratedFile[]): Promise<number> {
  for (const file of files) {
    await mkdir(dirname(join(root, file.path)), { recursive: true });
    await writeFile(join(root, file.path), file.content);
    console.log(`wrote ${file.path}`);
  }
  return 0;
}

const files = generatedFiles();
process.exitCode = process.argv.includes("--check") ? await check(files) : await write(files);

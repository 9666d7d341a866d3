/**
 * What a V8 heap snapshot holds, by node type and constructor name (self sizes, the top --top):
 * `node test/bench/heap-summary.ts FILE.heapsnapshot [--top 25]`. Used with operator-memory.ts.
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [file, flag, topText] = process.argv.slice(2);
if (!file) {
  console.error("usage: node test/bench/heap-summary.ts FILE.heapsnapshot [--top 25]");
  process.exit(2);
}
const top = flag === "--top" ? Number(topText) : 25;
const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f)) as [number, number, number];
const byKey = new Map<string, { count: number; bytes: number }>();
const byType = new Map<string, number>();
let total = 0;
const bigStrings: { bytes: number; head: string }[] = [];
for (let i = 0; i < snap.nodes.length; i += fields.length) {
  const type = types[snap.nodes[i + typeAt]!] ?? "?";
  const size = snap.nodes[i + sizeAt]!;
  // NB: strings are keyed by type only: their "name" is their content.
  const name = type === "string" || type === "concatenated string" || type === "sliced string" ? "" : snap.strings[snap.nodes[i + nameAt]!];
  const key = `${type}:${name?.slice(0, 80)}`;
  const entry = byKey.get(key) ?? { count: 0, bytes: 0 };
  entry.count++;
  entry.bytes += size;
  byKey.set(key, entry);
  byType.set(type, (byType.get(type) ?? 0) + size);
  if (type === "string" && size > 16_384) bigStrings.push({ bytes: size, head: snap.strings[snap.nodes[i + nameAt]!] ?? "" });
  total += size;
}
const mib = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`total self size ${mib(total)} MiB`);
for (const [type, bytes] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`  ${type.padEnd(22)} ${mib(bytes)} MiB`);
console.log(`top ${top} by type:constructor`);
for (const [key, { count, bytes }] of [...byKey].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  console.log(`  ${mib(bytes).padStart(8)} MiB ${String(count).padStart(8)}  ${key}`);
}
const big = bigStrings.sort((a, b) => b.bytes - a.bytes);
console.log(`strings over 16 kB: ${big.length}, ${mib(big.reduce((sum, s) => sum + s.bytes, 0))} MiB; the largest:`);
for (const s of big.slice(0, top)) console.log(`  ${(s.bytes / 1024).toFixed(0).padStart(6)} kB  ${JSON.stringify(s.head.slice(0, 100))}`);

// Flags of `npm run bench:operator`: parsed once, every problem named, defaults documented in HELP.
import { parseArgs } from "node:util";
import { OPERATOR_V8_FLAGS } from "../../charts/install/install-chart.ts";

export interface BenchArgs {
  readonly tenants: readonly number[];
  readonly foreignSecrets: number;
  readonly foreignConfigMaps: number;
  readonly secretKb: number;
  readonly steadySeconds: number;
  readonly resyncSeconds: number;
  readonly workers: number;
  readonly edits: number;
  readonly operatorHeapMb: number;
  readonly operatorV8Flags: string;
  readonly operatorEntry: string;
}

export const HELP = `Usage: npm run bench:operator -- [flags]

The operator on a real control plane that looks like a busy cluster. For each N of --tenants, on a
FRESH control plane (so the runs do not share caches, objects or memory):
  1. the fixture: foreign Helm-release-like Secrets (type helm.sh/release.v1) and ConfigMaps in
     other namespaces, created in parallel (16 at a time);
  2. the operator (cluster-wide, leader election on, heap capped by --operator-heap-mb), then N
     ZoomIntegrations (one namespace each, spec.service.replicas 1; every 10th with non-canonical
     quantities); time until all are Ready;
  3. one Deployment gets a foreign env var (server-side apply, fieldManager "mesh-injector"); then
     the writes kube-apiserver counts during the steady window (mutating verbs, Events and Leases
     left out), listed per resource;
  4. spec edits (spec.service.podLabels) on random tenants, one at a time: p50/p99 until the
     Deployment's pod template carries the edit (a watch on the Deployment);
  5. a graceful restart of the operator: time until caught up (every ZoomIntegration reconciled,
     queue empty) and the writes meanwhile;
  6. with the operator stopped, the bare server-side-apply floor: the same rendered children
     (renderTenant with the operator's props) applied into fresh namespaces by --workers appliers,
     until every Deployment is available; the ratio operator/floor.
Operator RSS (VmRSS/VmHWM of its process) is sampled throughout. A benchmark: it prints, it never
asserts. The machine is shared: read the ratios, not the absolute times.

Flags:
  --tenants LIST              comma-separated N, run in order, a fresh plane each (default 100)
  --foreign-secrets F         foreign ~50 kB Secrets (default 2000)
  --foreign-configmaps C      foreign ConfigMaps (default 1000)
  --secret-kb KB              size of each foreign Secret's payload (default 50)
  --steady-seconds S          steady-state window (default 300)
  --resync-seconds R          the operator's RESYNC_SECONDS (default 15; the operator's minimum is 10)
  --workers W                 the operator's WORKERS and the floor's concurrency (default 4)
  --edits K                   spec edits timed (default 20, at most N)
  --operator-heap-mb MB       the operator's --max-old-space-size (default 384: what the install
                              gives it, 75% of its 512Mi limit)
  --operator-v8-flags FLAGS   the operator's other V8 flags (default the install's, "${OPERATOR_V8_FLAGS}";
                              "" for V8's own defaults)
  --operator-entry PATH       the operator's entry point (default operator/main.ts, from source; e.g.
                              build/operator/main.js after npm run build, or another checkout's)
  -h, --help                  this help
`;

const positiveInt = (flag: string, raw: string, problems: string[], min = 1): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) problems.push(`--${flag} must be an integer >= ${min} (got "${raw}")`);
  return n;
};

/** Returns the arguments, or throws an Error listing every bad flag. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      tenants: { type: "string", default: "100" },
      "foreign-secrets": { type: "string", default: "2000" },
      "foreign-configmaps": { type: "string", default: "1000" },
      "secret-kb": { type: "string", default: "50" },
      "steady-seconds": { type: "string", default: "300" },
      "resync-seconds": { type: "string", default: "15" },
      workers: { type: "string", default: "4" },
      edits: { type: "string", default: "20" },
      "operator-heap-mb": { type: "string", default: "384" },
      "operator-v8-flags": { type: "string", default: OPERATOR_V8_FLAGS },
      "operator-entry": { type: "string", default: "operator/main.ts" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const problems: string[] = [];
  const tenants = values.tenants.split(",").map((t) => positiveInt("tenants", t.trim(), problems));
  const args: BenchArgs = {
    tenants,
    foreignSecrets: positiveInt("foreign-secrets", values["foreign-secrets"], problems, 0),
    foreignConfigMaps: positiveInt("foreign-configmaps", values["foreign-configmaps"], problems, 0),
    secretKb: positiveInt("secret-kb", values["secret-kb"], problems),
    steadySeconds: positiveInt("steady-seconds", values["steady-seconds"], problems),
    resyncSeconds: positiveInt("resync-seconds", values["resync-seconds"], problems, 10),
    workers: positiveInt("workers", values.workers, problems),
    edits: positiveInt("edits", values.edits, problems, 0),
    operatorHeapMb: positiveInt("operator-heap-mb", values["operator-heap-mb"], problems, 64),
    operatorV8Flags: values["operator-v8-flags"],
    operatorEntry: values["operator-entry"],
  };
  if (problems.length > 0) throw new Error(`bad arguments:\n  ${problems.join("\n  ")}\n(see --help)`);
  return args;
}

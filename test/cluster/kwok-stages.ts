// kwok's Stage configuration for the test plane: kwok v0.8.0's "fast" stages (assembled by
// build-binaries.sh), patched so that pods carrying EXTERNAL_READINESS_LABEL get Running and a pod
// IP from kwok but their readiness from someone else: the pod runner (test/pod-runner/), which
// runs the real process and sets Ready from its readiness probe. Every other pod stays fake and
// Ready at once, as before.
// NB: kwok's pod stages only fire while a pod is Pending, so once a labelled pod is Running kwok
// never writes its conditions again: the runner's pods/status patches are not overwritten.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

/** Pods with this label set to "true" are Running but not Ready until an external runner says so. */
export const EXTERNAL_READINESS_LABEL = "test.bookingops.dev/pod-runner";
export const EXTERNAL_READINESS_VALUE = "true";

const LABEL_QUERY = `.metadata.labels["${EXTERNAL_READINESS_LABEL}"]`;

/** kwok's pod-ready template with every readiness false: phase, IPs and container states as kwok sets them. */
const RUNNING_NOT_READY_TEMPLATE = `{{ $now := Now }}

conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: ContainersReady

containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    waiting:
      reason: ContainerCreating
{{ end }}
{{ $hostIPs := NodeIPsWith .spec.nodeName }}
{{ with $hostIPs }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
{{ with $podIPs }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

interface StageDoc {
  metadata: { name: string };
  spec: { selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] }; next: Record<string, unknown> };
}

/** The cached stage file with pod-ready split in two by EXTERNAL_READINESS_LABEL. */
export function patchKwokStages(text: string): string {
  const docs = parseAllDocuments(text)
    .map((d) => d.toJS() as StageDoc | null)
    .filter((d): d is StageDoc => d !== null);
  const ready = docs.find((d) => d.metadata.name === "pod-ready");
  if (!ready) throw new Error("kwok stages: no pod-ready stage to patch");
  const external: StageDoc = structuredClone(ready);
  ready.spec.selector.matchExpressions.push({ key: LABEL_QUERY, operator: "NotIn", values: [EXTERNAL_READINESS_VALUE] });
  external.metadata.name = "pod-running-external-readiness";
  external.spec.selector.matchExpressions.push({ key: LABEL_QUERY, operator: "In", values: [EXTERNAL_READINESS_VALUE] });
  external.spec.next = { statusTemplate: RUNNING_NOT_READY_TEMPLATE };
  return [...docs, external].map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join("");
}

/** Writes the patched stages into the plane's `dir` (the cached file stays as built); returns the path. */
export async function writeKwokStages(binDir: string, dir: string): Promise<string> {
  const path = join(dir, "kwok-stages.yaml");
  await writeFile(path, patchKwokStages(await readFile(join(binDir, "kwok-stages.yaml"), "utf8")));
  return path;
}

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { EXTERNAL_READINESS_LABEL, patchKwokStages } from "./kwok-stages.ts";

const STAGES = `---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: pod-ready}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: .status.phase, operator: In, values: [Pending]}
  next: {statusTemplate: "phase: Running"}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: pod-delete}
spec: {selector: {matchExpressions: []}, next: {delete: true}}
`;

describe("patchKwokStages", () => {
  it("keeps kwok's pod-ready for unlabelled pods and adds a Running-but-not-Ready stage for labelled ones", () => {
    const docs = parseAllDocuments(patchKwokStages(STAGES)).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual(["pod-ready", "pod-delete", "pod-running-external-readiness"]);
    const key = `.metadata.labels["${EXTERNAL_READINESS_LABEL}"]`;
    expect(docs[0].spec.selector.matchExpressions).toContainEqual({ key, operator: "NotIn", values: ["true"] });
    expect(docs[2].spec.selector.matchExpressions).toEqual([
      { key: ".status.phase", operator: "In", values: ["Pending"] },
      { key, operator: "In", values: ["true"] },
    ]);
    expect(docs[2].spec.next.statusTemplate).toMatch(/status: "False"\n\s+reason: ContainersNotReady\n\s+type: Ready/);
    expect(docs[2].spec.next.statusTemplate).toMatch(/phase: Running/);
  });
});

// The generated chart through the real helm CLI, built with the control plane from the Go module
// proxy (test/cluster/build-binaries.sh puts it in $ZIO_CLUSTER_BIN; $HELM overrides).
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helmChart } from "./helm-chart.ts";
import { renderInstall } from "./render.ts";

const binDir = process.env["ZIO_CLUSTER_BIN"];
const helm = process.env["HELM"] ?? (binDir ? join(binDir, "helm") : "helm");
let chart = "";

const helmRun = (args: readonly string[]) => execFileSync(helm, [...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
type Obj = { kind: string; metadata: { name: string; namespace?: string } };
const sorted = (list: readonly Obj[]) =>
  [...list].sort((a, b) =>
    `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.namespace}/${b.metadata.name}`),
  );
const objects = (yaml: string) =>
  sorted(
    parseAllDocuments(yaml)
      .map((d) => d.toJSON() as Obj)
      .filter(Boolean),
  );

describe("the Helm chart, through the helm CLI", () => {
  beforeAll(async () => {
    chart = await mkdtemp(join(tmpdir(), "zio-helm-"));
    for (const file of helmChart({ version: "0.1.0", header: "# generated\n" })) {
      await mkdir(dirname(join(chart, file.path)), { recursive: true });
      await writeFile(join(chart, file.path), file.content);
    }
  });
  afterAll(async () => {
    if (chart) await rm(chart, { recursive: true, force: true });
  });

  it("passes helm lint --strict, for cluster-wide and per-namespace watching", () => {
    expect(helmRun(["lint", "--strict", chart])).toContain("0 chart(s) failed");
    expect(helmRun(["lint", "--strict", chart, "--set", "watchNamespaces={a,b}", "--set", "createNamespace=false"])).toContain(
      "0 chart(s) failed",
    );
  });

  it("templates exactly install.yaml's objects with the default values", () => {
    expect(objects(helmRun(["template", "zio", chart, "--include-crds"]))).toEqual(sorted(renderInstall()));
  });

  it("templates what renderInstall renders for the same settings", () => {
    const set = [
      "--set",
      "image=registry.local/zio:dev",
      "--set",
      "namespace=ops",
      "--set",
      "replicas=3",
      "--set",
      "watchNamespaces={tenants-a,tenants-b}",
      "--set",
      "heapPercentage=60",
    ];
    const expected = renderInstall({
      image: "registry.local/zio:dev",
      namespace: "ops",
      replicas: 3,
      watchNamespaces: ["tenants-a", "tenants-b"],
      heapPercentage: 60,
    });
    expect(objects(helmRun(["template", "zio", chart, "--include-crds", ...set]))).toEqual(sorted(expected));
  });
});

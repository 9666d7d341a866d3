// The monitoring pack on the real API server, with the Prometheus Operator's own CRDs (from its pinned
// Go module, test/cluster/prometheus-operator/go.mod): the API server validates every ServiceMonitor,
// PodMonitor and PrometheusRule field against their schemas, from dist/monitoring.yaml's renderer and
// from the Helm chart; every alert and panel queries metrics the operator and the service really export.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELM_CHART_NAME } from "../../charts/install/helm-chart.ts";
import { renderMonitoring } from "../../charts/install/monitoring.ts";
import { dashboardQueries } from "../../charts/install/monitoring-dashboard.ts";
import { alertGroups } from "../../charts/install/monitoring-rules.ts";
import { createMetrics as operatorMetrics } from "../../operator/metrics.ts";
import { createMetrics as serviceMetrics } from "../../service/metrics.ts";
import { waitEstablished } from "../cluster/crd-wait.ts";
import { clusterEnv, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";

const run = promisify(execFile);
const MODULE_DIR = "test/cluster/prometheus-operator";
const CRDS = ["servicemonitors", "podmonitors", "prometheusrules"].map((p) => `monitoring.coreos.com_${p}.yaml`);

let dir = "";
const ns = useNamespace("monitoring");

/** The pinned module's directory in the Go module cache (downloaded once, read-only, checksummed by go.sum). */
async function prometheusOperatorModule(): Promise<string> {
  const env = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
  const { stdout } = await run("go", ["mod", "download", "-json", "github.com/prometheus-operator/prometheus-operator"], {
    cwd: MODULE_DIR,
    env,
  });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}

const apply = (yaml: string) => kubectl(["apply", "--server-side", "--field-manager=zio-test", "-f", "-"], { input: yaml });
const toYaml = (objects: readonly object[]) => objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zio-monitoring-"));
  await run(process.execPath, ["scripts/synth.ts", "--outdir", dir]);
  const moduleDir = await prometheusOperatorModule();
  for (const crd of CRDS) {
    const res = await apply(await readFile(join(moduleDir, "example/prometheus-operator-crd", crd), "utf8"));
    if (res.code !== 0) throw new Error(`applying ${crd} failed: ${res.stderr}`);
  }
  const established = await waitEstablished(
    kubectl,
    CRDS.map((c) => `crd/${c.slice(22, -5)}.monitoring.coreos.com`),
  );
  if (established.code !== 0) throw new Error(`the monitoring CRDs did not become Established: ${established.stderr}`);
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Metric names a PromQL expression reads (histogram series mapped to their family). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bzio_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ""));
}

describe("the monitoring pack", () => {
  it("is what dist/monitoring.yaml holds", async () => {
    const written = parseAllDocuments(await readFile(join(dir, "monitoring.yaml"), "utf8")).map((d) => d.toJSON());
    expect(written).toEqual(Object.values(renderMonitoring()));
  });

  it("is accepted by the API server with the Prometheus Operator's CRDs, every field validated", async () => {
    const objects = Object.values(renderMonitoring({ namespace: ns.name, labels: { release: "kube-prometheus-stack" } }));
    const res = await apply(toYaml(objects));
    expect(res.code, res.stderr).toBe(0);
    for (const kind of ["servicemonitor", "podmonitor", "prometheusrule", "configmap"]) {
      const got = await kubectl(["get", kind, "-n", ns.name, "-l", "release=kube-prometheus-stack", "-o", "name"]);
      expect(got.stdout.trim(), kind).not.toBe("");
    }
    // A schema violation is refused, so the acceptance above means something.
    const bad = { ...objects[0], spec: { endpoints: [{ port: "metrics", interval: "every minute" }] } };
    expect((await apply(toYaml([bad]))).code).not.toBe(0);
  });

  it("comes out of the Helm chart (all four objects enabled) valid, with the alerts' templates intact", async () => {
    const env = clusterEnv();
    const enable = ["serviceMonitor", "podMonitor", "prometheusRule", "dashboard"].flatMap((k) => [
      "--set",
      `monitoring.${k}.enabled=true`,
    ]);
    const chart = join(dir, "helm", HELM_CHART_NAME);
    const { stdout } = await run(join(env.binDir, "helm"), ["template", "zio", chart, "--set", `namespace=${ns.name}`, ...enable]);
    const monitoring = parseAllDocuments(stdout)
      .map((d) => d.toJSON() as { kind: string; metadata: { name: string } })
      .filter((o) => o && ["ServiceMonitor", "PodMonitor", "PrometheusRule"].includes(o.kind));
    expect(monitoring.map((o) => o.kind).sort()).toEqual(["PodMonitor", "PrometheusRule", "ServiceMonitor"]);
    const res = await apply(toYaml(monitoring));
    expect(res.code, res.stderr).toBe(0);
    await eventually(async () => {
      const rule = await kubectl([
        "get",
        "prometheusrule",
        "-n",
        ns.name,
        "-o",
        "jsonpath={.items[*].spec.groups[*].rules[*].annotations.description}",
      ]);
      expect(rule.stdout).toContain("{{ $labels.namespace }}");
    });
  });

  it("alerts and charts only metrics that the operator and the service export", async () => {
    const exported = new Set<string>();
    for (const registry of [operatorMetrics().registry, serviceMetrics().registry]) {
      for (const metric of await registry.getMetricsAsJSON()) exported.add(metric.name);
    }
    const rules = alertGroups().flatMap((g) => g.rules);
    const used = [...rules.map((r) => r.expr), ...dashboardQueries()].flatMap(metricNames);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "ZoomConnectionNeedsReauthorization",
        "ZoomIntegrationReconcileErrors",
        "ZoomTokenRefreshFailures",
        "ZoomIdempotencyStoreNearLimit",
        "ZoomDailyRateLimitReached",
      ]),
    );
  });
});

import { parse, parseAllDocuments, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { type HelmFile, helmChart } from "./helm-chart.ts";
import { renderInstall } from "./render.ts";

const files = helmChart({ version: "0.1.0", header: "# generated\n" });
const file = (path: string) => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in ${files.map((f) => f.path).join(", ")}`);
  return found.content;
};
const values = parse(file("values.yaml"));

interface Values {
  readonly image: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly watchNamespaces: readonly string[];
  readonly replicas: number;
  readonly heapPercentage: number;
  readonly resources: object;
  readonly labels?: Record<string, string>;
  readonly podAnnotations?: Record<string, string>;
  readonly priorityClassName?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: readonly object[];
  readonly monitoring?: { readonly scrapers?: object };
}

const indented = (value: unknown, n: number) =>
  `\n${stringify(value)
    .trimEnd()
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n")}`;
const empty = (value: unknown) =>
  value === undefined || value === "" || (typeof value === "object" && Object.keys(value as object).length === 0);

/**
 * The few template forms the generator emits, evaluated the way Helm does, so the chart can be
 * compared with install.yaml without a helm binary (README explains `helm lint`/`helm template`).
 */
function renderLikeHelm(templates: readonly HelmFile[], v: Values): unknown[] {
  const values = v as unknown as Record<string, unknown>;
  const scalars = (text: string) =>
    text
      // `{{- with $.Values.x }}` around a `field:` line, and merged into a labels map
      .replace(
        /\n *\{\{- with \$\.Values\.(\w+) \}\}\n( *)(\w+): (?:\{\{- toYaml \. \| nindent (\d+) \}\}|\{\{ \. \| quote \}\})\n *\{\{- end \}\}/g,
        (_m, key: string, indent: string, field: string, n?: string) =>
          empty(values[key]) ? "" : `\n${indent}${field}: ${n ? indented(values[key], Number(n)) : JSON.stringify(values[key])}`,
      )
      .replace(/\n *\{\{- with \$\.Values\.(\w+) \}\}\{\{- toYaml \. \| nindent (\d+) \}\}\{\{- end \}\}/g, (_m, key: string, n: string) =>
        empty(values[key]) ? "" : indented(values[key], Number(n)),
      )
      .replaceAll("{{ toJson $.Values.monitoring.scrapers | quote }}", JSON.stringify(JSON.stringify(v.monitoring?.scrapers ?? null)))
      .replaceAll("{{ toJson $.Values.monitoring.scrapers }}", JSON.stringify(v.monitoring?.scrapers ?? null))
      .replaceAll("{{ $.Values.namespace }}", v.namespace)
      .replaceAll("{{ $.Values.image | quote }}", JSON.stringify(v.image))
      .replaceAll("{{ $.Values.replicas }}", String(v.replicas))
      .replaceAll("{{ $.Values.heapPercentage }}", String(v.heapPercentage))
      .replaceAll('{{ join "," $.Values.watchNamespaces | quote }}', JSON.stringify(v.watchNamespaces.join(",")))
      .replace(
        / \{\{- toYaml \$\.Values\.resources \| nindent (\d+) \}\}/g,
        (_m, n: string) =>
          `\n${stringify(v.resources)
            .trimEnd()
            .split("\n")
            .map((l) => " ".repeat(Number(n)) + l)
            .join("\n")}`,
      );
  const out: string[] = [];
  // NB: the monitoring pack is not part of install.yaml (it has its own file and test).
  for (const t of templates.filter((f) => f.path.startsWith("templates/") && !f.path.startsWith("templates/monitoring/"))) {
    const block = /\{\{- (if|if not|range) \$\.Values\.(\w+) \}\}\n([\s\S]*)\{\{- end \}\}\n$/.exec(t.content);
    if (!block) {
      out.push(scalars(t.content));
      continue;
    }
    const [, form, key, body] = block as unknown as [string, string, keyof Values, string];
    const value = v[key];
    const truthy = Array.isArray(value) ? value.length > 0 : Boolean(value);
    if (form === "if" && truthy) out.push(scalars(body));
    if (form === "if not" && !truthy) out.push(scalars(body));
    if (form === "range") for (const item of value as string[]) out.push(scalars(body.replaceAll("{{ . }}", item)));
  }
  return out.flatMap((text) => parseAllDocuments(text).map((d) => d.toJSON())).filter((o) => o !== null);
}

const byKey = (objects: readonly unknown[]) =>
  [...objects]
    .map((o) => o as { kind: string; metadata: { name: string; namespace?: string } })
    .sort((a, b) =>
      `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.namespace}/${b.metadata.name}`),
    );

describe("the Helm chart", () => {
  it("has a chart file, values, the CRD in crds/ and one template per object", () => {
    expect(files.map((f) => f.path)).toMatchSnapshot();
    expect(parse(file("Chart.yaml"))).toMatchObject({
      apiVersion: "v2",
      name: "zoom-integration-operator",
      version: "0.1.0",
      appVersion: "0.1.0",
    });
  });

  it("leaves no placeholder behind and uses every value", () => {
    const templates = files
      .filter((f) => f.path.startsWith("templates/"))
      .map((f) => f.content)
      .join("\n");
    expect(files.map((f) => f.path + f.content).join("\n")).not.toMatch(/placeholder|__HELM_/);
    for (const key of Object.keys(values)) expect(templates, key).toContain(`$.Values.${key}`);
  });

  it("renders exactly install.yaml's objects with the default values", () => {
    const expected = renderInstall().filter((o) => o.kind !== "CustomResourceDefinition");
    expect(byKey(renderLikeHelm(files, values))).toEqual(byKey(expected));
    expect(parse(file("crds/zoomintegrations.bookingops.dev.yaml"))).toEqual(renderInstall()[0]);
  });

  it("renders what renderInstall renders for the same settings, namespaced watching included", () => {
    const custom = {
      image: "registry.local/zio:dev",
      namespace: "ops",
      createNamespace: true,
      watchNamespaces: ["tenants-a", "tenants-b"],
      replicas: 3,
      heapPercentage: 60,
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
      labels: { team: "platform" },
      podAnnotations: { "example.com/owner": "platform" },
      priorityClassName: "system-cluster-critical",
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "dedicated", operator: "Equal" as const, value: "ops", effect: "NoSchedule" as const }],
      monitoring: { scrapers: { podSelector: { matchLabels: { app: "prom" } } } },
    };
    const expected = renderInstall({ ...custom, metricsScrapers: custom.monitoring.scrapers }).filter(
      (o) => o.kind !== "CustomResourceDefinition",
    );
    expect(byKey(renderLikeHelm(files, custom))).toEqual(byKey(expected));
  });

  it("leaves the namespace out when createNamespace is false", () => {
    const kinds = renderLikeHelm(files, { ...values, createNamespace: false }).map((o) => (o as { kind: string }).kind);
    expect(kinds).not.toContain("Namespace");
  });
});

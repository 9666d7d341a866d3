import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CRD_NAME, FIELD_MANAGER, FINALIZER, GROUP, KIND, PLURAL, VERSION } from "./constants.ts";
import { buildCrd } from "./crd.ts";
import { generatedFiles } from "./generated-files.ts";
import { type SchemaNode, structuralProblems, toStructural } from "./structural-schema.ts";

const crd = buildCrd();
const version = crd.spec.versions[0]!;
const root = version.schema.openAPIV3Schema;
const at = (...path: string[]): SchemaNode =>
  path.reduce<SchemaNode>(
    (node, key) => (key === "[]" ? (node["items"] as SchemaNode) : (node["properties"] as Record<string, SchemaNode>)[key]!),
    root,
  );

function* allNodes(node: SchemaNode): Generator<SchemaNode> {
  yield node;
  for (const child of Object.values((node["properties"] as Record<string, SchemaNode>) ?? {})) yield* allNodes(child);
  if (node["items"]) yield* allNodes(node["items"] as SchemaNode);
  if (typeof node["additionalProperties"] === "object") yield* allNodes(node["additionalProperties"] as SchemaNode);
}

describe("the ZoomIntegration CRD", () => {
  it("declares the group, version, kind and names from the constants", () => {
    expect(crd.metadata.name).toBe(CRD_NAME);
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names).toMatchObject({ kind: KIND, plural: PLURAL, shortNames: ["zi", "zoomint"], categories: ["bookingops"] });
    expect(version).toMatchObject({ name: VERSION, served: true, storage: true, subresources: { status: {} } });
    expect([FINALIZER, FIELD_MANAGER]).toEqual(["bookingops.dev/zoom-grant", "zoom-integration-operator"]);
  });

  it("has a structural schema with a type and a description on every field", () => {
    expect(structuralProblems(root)).toEqual([]);
  });

  it("never says additionalProperties: false, $schema or propertyNames anywhere", () => {
    const text = JSON.stringify(crd);
    expect(text).not.toContain('"additionalProperties":false');
    expect(text).not.toContain("$schema");
    expect(text).not.toContain("propertyNames");
  });

  it("gives every string a maxLength and every list a maxItems, which keeps CEL cost estimates bounded", () => {
    const nodes = [...allNodes(root)].filter((n) => n["x-kubernetes-int-or-string"] !== true);
    const unbounded = nodes.filter(
      (n) =>
        (n["type"] === "string" && n["maxLength"] === undefined && n["enum"] === undefined && n["format"] !== "date-time") ||
        (n["type"] === "array" && n["maxItems"] === undefined),
    );
    // apiVersion and kind belong to the Kubernetes envelope, not to our schema.
    expect(unbounded.map((n) => n["description"])).toEqual([expect.stringContaining("APIVersion"), expect.stringContaining("Kind")]);
  });

  it("keys conditions and connections by their identifying field for server-side apply", () => {
    expect(at("status", "conditions")).toMatchObject({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] });
    expect(at("status", "connections")).toMatchObject({ "x-kubernetes-list-map-keys": ["organizationId"] });
    expect(at("spec", "scopes")["x-kubernetes-list-type"]).toBe("set");
    expect(at("status", "conditions", "[]")["required"]).toEqual(["type", "status", "lastTransitionTime", "reason", "message"]);
  });

  it("writes the defaults into the schema, with nested defaults under an empty parent default", () => {
    expect(at("spec", "credentialsSecretRef", "clientIdKey")["default"]).toBe("clientId");
    expect(at("spec", "service")["default"]).toEqual({});
    expect(at("spec", "service", "replicas")).toMatchObject({ default: 2, minimum: 1, maximum: 10 });
    expect(at("spec", "zoom", "oauthBaseUrl")["default"]).toBe("https://zoom.us");
    expect(at("spec", "deletionPolicy")).toMatchObject({ default: "Revoke", enum: ["Revoke", "Retain"] });
  });

  it("puts cross-field CEL rules where they can name the offending field", () => {
    expect(at("spec", "credentialsSecretRef")["x-kubernetes-validations"]).toEqual([
      expect.objectContaining({ rule: "self.clientIdKey != self.clientSecretKey", fieldPath: ".clientSecretKey" }),
    ]);
    // Issue 20: exactly one of credentialsSecretRef and provisioning; no webhookSecretRef with provisioning.
    expect(at("spec")["x-kubernetes-validations"]).toEqual([
      expect.objectContaining({ rule: "has(self.credentialsSecretRef) != has(self.provisioning)", fieldPath: ".credentialsSecretRef" }),
      expect.objectContaining({ fieldPath: ".webhookSecretRef" }),
      expect.objectContaining({ fieldPath: ".webhookSecretRef.key" }),
    ]);
    expect((root["x-kubernetes-validations"] as unknown[]).length).toBe(2);
  });

  it("shows domain, ready, connected, redirect URL and age in kubectl get", () => {
    const columns = version.additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name);
    expect(columns).toEqual(["Domain", "Ready", "Connected", "Redirect URL", "Age"]);
  });

  it("is committed in crds/ and docs/ exactly as npm run generate writes it", async () => {
    for (const file of generatedFiles()) {
      const committed = await readFile(join(import.meta.dirname, "../..", file.path), "utf8").catch(() => "");
      expect(committed, `${file.path} is stale: run npm run generate`).toBe(file.content);
    }
  });

  it("round-trips through YAML with the generated header", () => {
    const file = generatedFiles()[0]!;
    expect(file.content.startsWith("# generated by npm run generate")).toBe(true);
    expect(parse(file.content)).toEqual(JSON.parse(JSON.stringify(crd)));
  });
});

describe("toStructural", () => {
  it("turns zod's integer-or-string union into the x-kubernetes-int-or-string form", () => {
    const node = toStructural({
      description: "q",
      "x-kubernetes-int-or-string": true,
      anyOf: [
        { type: "integer", minimum: Number.MIN_SAFE_INTEGER },
        { type: "string", pattern: "^[0-9]+m$", maxLength: 64 },
      ],
    });
    expect(node).toEqual({
      description: "q",
      pattern: "^[0-9]+m$",
      maxLength: 64,
      anyOf: [{ type: "integer" }, { type: "string" }],
      "x-kubernetes-int-or-string": true,
    });
  });

  it("drops keywords Kubernetes forbids at every depth", () => {
    const node = toStructural({
      $schema: "x",
      type: "object",
      additionalProperties: false,
      properties: {
        m: { type: "object", propertyNames: { type: "string" }, additionalProperties: { type: "string" } },
        n: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        t: { type: "string", format: "date-time", pattern: "^\\d{4}" },
      },
    });
    expect(node).toEqual({
      type: "object",
      properties: {
        m: { type: "object", additionalProperties: { type: "string" } },
        n: { type: "integer", minimum: 0 },
        t: { type: "string", format: "date-time" },
      },
    });
  });

  it("reports a node without type or description", () => {
    expect(structuralProblems({ type: "object", description: "d", properties: { x: {} } })).toEqual([
      "x: has no type",
      "x: has no description",
    ]);
  });
});

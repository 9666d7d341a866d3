import { describe, expect, it } from "vitest";
import { renderTenant } from "./render.ts";
import { field, fullProps, minimalProps, only } from "./test-fixtures.ts";

const deployment = (props = minimalProps()) => only(renderTenant(props), "Deployment");

describe("renderTenant", () => {
  it("renders equal objects for equal props", () => {
    expect(renderTenant(fullProps())).toEqual(renderTenant(fullProps()));
    expect(JSON.stringify(renderTenant(fullProps()))).toBe(JSON.stringify(renderTenant(fullProps())));
  });

  it("renders the same key order whatever CDK8S_DISABLE_SORT says", () => {
    const sorted = JSON.stringify(renderTenant(fullProps()));
    process.env["CDK8S_DISABLE_SORT"] = "1";
    try {
      expect(JSON.stringify(renderTenant(fullProps()))).toBe(sorted);
    } finally {
      delete process.env["CDK8S_DISABLE_SORT"];
    }
  });

  it("puts identity, Secrets and the ConfigMap before the Deployment, and the Ingress last", () => {
    const kinds = renderTenant(fullProps()).map((o) => o.kind);
    const deploymentAt = kinds.indexOf("Deployment");
    for (const kind of ["ServiceAccount", "Role", "RoleBinding", "Secret", "ConfigMap", "NetworkPolicy", "Service"]) {
      expect(kinds.lastIndexOf(kind), kind).toBeLessThan(deploymentAt);
    }
    expect(kinds.at(-1)).toBe("Ingress");
  });

  it("returns plain JSON without any cdk8s label or annotation", () => {
    const objects = renderTenant(fullProps());
    expect(JSON.parse(JSON.stringify(objects))).toEqual(objects);
    expect(JSON.stringify(objects)).not.toContain("cdk8s.io");
  });

  it("does not mutate its props", () => {
    const props = fullProps();
    const before = structuredClone(props);
    renderTenant(props);
    expect(props).toEqual(before);
  });

  it("changes the checksum annotation, and nothing else, when the credentials checksum changes", () => {
    const before = deployment(minimalProps({ credentialsChecksum: "sha256:1111" }));
    const after = deployment(minimalProps({ credentialsChecksum: "sha256:2222" }));
    expect(field(after, "spec.template.metadata.annotations")).toEqual({ "bookingops.dev/credentials-checksum": "sha256:2222" });
    const withoutAnnotations = (d: unknown) => ({ ...field(d, "spec.template.spec"), replicas: field(d, "spec.replicas") });
    expect(withoutAnnotations(after)).toEqual(withoutAnnotations(before));
  });

  it("keeps the Deployment selector unchanged when every other prop changes", () => {
    const selector = field(deployment(minimalProps()), "spec.selector");
    expect(field(deployment(fullProps({ credentialsChecksum: "sha256:9999", image: "example/other:2" })), "spec.selector")).toEqual(
      selector,
    );
  });

  it("renders the minimal tenant", () => {
    expect(renderTenant(minimalProps())).toMatchSnapshot();
  });

  it("renders the full tenant with webhook, TLS, annotations and a namespace selector", () => {
    expect(renderTenant(fullProps())).toMatchSnapshot();
  });
});

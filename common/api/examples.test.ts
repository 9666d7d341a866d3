import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseZoomIntegration } from "./zoom-integration.ts";

const repo = join(import.meta.dirname, "../..");
const load = async (file: string) => parse(await readFile(join(repo, file), "utf8")) as Record<string, unknown>;

describe("examples", () => {
  it.each([
    "examples/tenant/zoomintegration.yaml",
    "examples/gitops/base/zoomintegration.yaml",
    "examples/provisioning/zoomintegration.yaml",
  ])("%s is a valid ZoomIntegration", async (file) => {
    const result = parseZoomIntegration(await load(file));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it("the tenant's Secret holds the keys its ZoomIntegration reads, with placeholder values only", async () => {
    const secret = (await load("examples/tenant/credentials-secret.yaml")) as {
      stringData: Record<string, string>;
      metadata: { name: string };
    };
    const result = parseZoomIntegration(await load("examples/tenant/zoomintegration.yaml"));
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const ref = result.value.spec.credentialsSecretRef;
    if (!ref) throw new Error("the example tenant names no credentials Secret");
    expect(secret.metadata.name).toBe(ref.name);
    expect(Object.keys(secret.stringData).sort()).toEqual([ref.clientIdKey, ref.clientSecretKey].sort());
    for (const value of Object.values(secret.stringData)) expect(value).toMatch(/^EXAMPLE-not-a-real-/);
  });

  it("the provisioning example's Server-to-Server Secret holds the keys its ZoomIntegration reads, placeholders only", async () => {
    const secret = (await load("examples/provisioning/s2s-secret.yaml")) as {
      stringData: Record<string, string>;
      metadata: { name: string };
    };
    const result = parseZoomIntegration(await load("examples/provisioning/zoomintegration.yaml"));
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const ref = result.value.spec.provisioning?.serverToServerSecretRef;
    expect(secret.metadata.name).toBe(ref?.name);
    expect(Object.keys(secret.stringData).sort()).toEqual([ref?.accountIdKey, ref?.clientIdKey, ref?.clientSecretKey].sort());
    for (const value of Object.values(secret.stringData)) expect(value).toMatch(/^EXAMPLE-not-a-real-/);
  });
});

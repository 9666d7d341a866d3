import { describe, expect, it } from "vitest";
import { manifestConfigMap } from "./manifest-configmap.ts";

const props = {
  name: "acme",
  namespace: "booking-acme",
  owner: { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: "acme", uid: "uid-1" },
  domain: "acme.example",
  scopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"],
};

describe("manifestConfigMap", () => {
  it("publishes the manifest as JSON under manifest.json, owned by the ZoomIntegration", () => {
    const cm = manifestConfigMap(props);
    expect(cm.metadata.name).toBe("acme-zoom-manifest");
    expect(cm.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ZoomIntegration", uid: "uid-1", controller: true });
    const manifest = JSON.parse((cm["data"] as Record<string, string>)["manifest.json"]!);
    expect(manifest.oauth_information.production_redirect_uri).toBe("https://app.acme.example/organization/integration/zoom/redirect");
  });

  it("carries the managed-by labels, so kubectl get -l finds it with the other children", () => {
    expect(manifestConfigMap(props).metadata.labels?.["bookingops.dev/zoom-integration"]).toBe("acme");
  });
});

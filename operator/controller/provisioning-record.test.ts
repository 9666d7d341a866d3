import { describe, expect, it } from "vitest";
import { renderManifest } from "../../common/tenant/manifest.ts";
import { APP_ID_ANNOTATION, manifestHash, readRecord, recordSecret } from "./provisioning-record.ts";

const target = {
  name: "acme",
  namespace: "ns",
  secretName: "acme-zoom-app",
  owner: { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: "acme", uid: "u1" },
};
const credentials = { clientId: "id", clientSecret: "secret", secretToken: "token" };

describe("the provisioning record", () => {
  it("reads back what it wrote: identity, app id, manifest hash and credentials", () => {
    const record = { identity: "zio-u1", appId: "app-1", manifestHash: "h", credentials };
    expect(readRecord(recordSecret(target, record) as never)).toEqual(record);
  });

  it("records the identity alone before the app exists, without any credential key", () => {
    const secret = recordSecret(target, { identity: "zio-u1" });
    expect(secret["data"]).toEqual({});
    expect(readRecord(secret as never)).toEqual({ identity: "zio-u1", appId: undefined, manifestHash: undefined, credentials: undefined });
  });

  it("treats a record with an empty key as without credentials", () => {
    const secret = recordSecret(target, { identity: "zio-u1", appId: "app-1", credentials: { ...credentials, secretToken: "" } }) as never;
    expect(readRecord(secret).credentials).toBeUndefined();
    expect((secret as { metadata: { annotations: Record<string, string> } }).metadata.annotations[APP_ID_ANNOTATION]).toBe("app-1");
  });

  it("hashes the manifest by content: another domain, another hash", () => {
    const scopes = ["meeting:read:admin", "meeting:write:admin", "user:read:admin"];
    expect(manifestHash(renderManifest({ domain: "a.example", scopes }))).toBe(
      manifestHash(renderManifest({ domain: "a.example", scopes })),
    );
    expect(manifestHash(renderManifest({ domain: "a.example", scopes }))).not.toBe(
      manifestHash(renderManifest({ domain: "b.example", scopes })),
    );
  });
});

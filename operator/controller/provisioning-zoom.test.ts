import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderManifest } from "../../common/tenant/manifest.ts";
import { startZoomEmulator, type ZoomEmulator } from "../../test/zoom-emulator/index.ts";
import { createApp, deleteApp, findApps, MarketplaceErrorKind, putManifest, serverToServerToken } from "./provisioning-zoom.ts";

let zoom: ZoomEmulator;
beforeEach(async () => {
  zoom = await startZoomEmulator();
});
afterEach(() => zoom.close());

const target = () => ({ oauthBaseUrl: zoom.url, apiBaseUrl: zoom.url });
const s2s = { accountId: "acme-account", clientId: "acme-s2s-client", clientSecret: "acme-s2s-secret" };
const contact = { companyName: "Acme", contactName: "Platform", contactEmail: "platform@acme.example" };
const manifest = (domain = "acme.example") =>
  renderManifest({ domain, scopes: ["meeting:read:admin", "meeting:write:admin", "user:read:admin"] });
const token = async () => (await serverToServerToken(target(), s2s)).token;

describe("the Marketplace client against the emulator", () => {
  it("creates, finds by name, updates and deletes an app", async () => {
    const t = await token();
    const created = await createApp(target(), t, "zio-u1", contact, manifest());
    expect(created.clientSecret).not.toBe("");
    expect(await findApps(target(), t, "zio-u1")).toEqual([created.appId]);
    expect(await findApps(target(), t, "zio-other")).toEqual([]);
    await putManifest(target(), t, created.appId, manifest("acme2.example"));
    expect(JSON.stringify(zoom.marketplace.apps()[0]?.manifest)).toContain("app.acme2.example");
    await deleteApp(target(), t, created.appId);
    await deleteApp(target(), t, created.appId); // already gone counts as done
    expect(await findApps(target(), t, "zio-u1")).toEqual([]);
  });

  it("finds an app on a later page of the account's apps", async () => {
    const t = await token();
    for (let i = 0; i < 302; i++) await createApp(target(), t, `other-${i}`, contact, manifest());
    const last = await createApp(target(), t, "zio-late", contact, manifest());
    expect(await findApps(target(), t, "zio-late")).toEqual([last.appId]);
  });

  it.each([
    ["a wrong S2S secret", () => serverToServerToken(target(), { ...s2s, clientSecret: "wrong" }), MarketplaceErrorKind.Rejected],
    [
      "a deactivated S2S app",
      () => {
        zoom.marketplace.setServerToServerActive("acme-s2s-client", false);
        return serverToServerToken(target(), s2s);
      },
      MarketplaceErrorKind.Rejected,
    ],
    [
      "an S2S app without marketplace:write:app",
      async () => {
        zoom.marketplace.setServerToServerScopes("acme-s2s-client", ["marketplace:read:app"]);
        return createApp(target(), await token(), "zio-u1", contact, manifest());
      },
      MarketplaceErrorKind.Scopes,
    ],
    ["an unknown app", async () => putManifest(target(), await token(), "no-such-app", manifest()), MarketplaceErrorKind.Gone],
    [
      "a manifest Zoom refuses",
      async () => createApp(target(), await token(), "zio-u1", contact, { ...manifest(), oauth_information: {} } as never),
      MarketplaceErrorKind.Refused,
    ],
  ])("classifies %s", async (_name, call, kind) => {
    await expect(call()).rejects.toMatchObject({ name: "MarketplaceError", kind });
  });

  it("retries a 503 and succeeds, and says Unavailable when Zoom keeps failing", async () => {
    const t = await token();
    zoom.faults.inject("GET /v2/marketplace/apps", { kind: "status", status: 503 }, { times: 1 });
    expect(await findApps(target(), t, "zio-u1")).toEqual([]);
    zoom.faults.inject("GET /v2/marketplace/apps", { kind: "status", status: 503 });
    await expect(findApps(target(), t, "zio-u1")).rejects.toMatchObject({ kind: MarketplaceErrorKind.Unavailable });
  });

  it("never quotes a secret in its errors", async () => {
    const error = await serverToServerToken(target(), { ...s2s, clientSecret: "s3cr3t-value" }).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain("s3cr3t-value");
  });
});

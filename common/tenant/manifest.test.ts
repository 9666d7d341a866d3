import { describe, expect, it } from "vitest";
import { DEFAULT_SCOPES } from "../api/zoom-scopes.ts";
import { ADMIN_MANAGED, appIdentity, displayName, manifestJson, renderManifest } from "./manifest.ts";
import { ZOOM_EVENT_TYPES } from "./zoom-event-types.ts";

const GRANULAR = [
  "meeting:write:meeting:admin",
  "meeting:update:meeting:admin",
  "meeting:delete:meeting:admin",
  "meeting:read:meeting:admin",
  "user:read:user:admin",
  "user:read:list_users:admin",
];

describe("renderManifest", () => {
  it("renders the default (classic scopes) manifest of acme.example", () => {
    expect(manifestJson(renderManifest({ domain: "acme.example", scopes: [...DEFAULT_SCOPES] }))).toMatchSnapshot();
  });

  it("renders the granular-scopes manifest", () => {
    expect(renderManifest({ domain: "acme.example", scopes: GRANULAR })).toMatchSnapshot();
  });

  it("describes an admin-managed app whose redirect URI and allow list are the tenant's", () => {
    const { oauth_information: oauth } = renderManifest({ domain: "globex.example", scopes: [...DEFAULT_SCOPES] });
    expect(oauth.usage).toBe(ADMIN_MANAGED);
    expect(oauth.production_redirect_uri).toBe("https://app.globex.example/organization/integration/zoom/redirect");
    expect(oauth.development_redirect_uri).toBe(oauth.production_redirect_uri);
    expect(oauth.oauth_allow_list).toEqual(["https://app.globex.example"]);
  });

  it("requires every scope of the spec, granular names included, none optional, sorted and without duplicates", () => {
    const { scopes } = renderManifest({ domain: "acme.example", scopes: [...GRANULAR, GRANULAR[0]!] }).oauth_information;
    expect(scopes.map((s) => s.scope)).toEqual([...GRANULAR].sort());
    expect(scopes.every((s) => s.optional === false)).toBe(true);
  });

  it("subscribes the webhook endpoint to every event type the service handles", () => {
    const [subscription] = renderManifest({ domain: "acme.example", scopes: [...DEFAULT_SCOPES] }).features.event_subscription.events;
    expect(subscription?.event_types).toEqual([...ZOOM_EVENT_TYPES]);
    expect(subscription?.event_types).toContain("app_deauthorized");
    expect(subscription?.production_webhook_url).toBe("https://app.acme.example/zoom-integration/webhook");
  });

  it("follows the event-type list when it grows", () => {
    const manifest = renderManifest({
      domain: "acme.example",
      scopes: [...DEFAULT_SCOPES],
      eventTypes: [...ZOOM_EVENT_TYPES, "recording.completed"],
    });
    expect(manifest.features.event_subscription.events[0]?.event_types.at(-1)).toBe("recording.completed");
  });

  it("names the domain in the display name, within Zoom's 50 characters", () => {
    expect(displayName("acme.example")).toBe("Booking app.acme.example");
    const long = displayName(`${"a".repeat(60)}.example`);
    expect(long.length).toBeLessThanOrEqual(50);
    expect(long.endsWith(".example")).toBe(true);
  });

  it("changes with the domain and the scopes, and only then", () => {
    const base = manifestJson(renderManifest({ domain: "acme.example", scopes: [...DEFAULT_SCOPES] }));
    expect(manifestJson(renderManifest({ domain: "acme.example", scopes: [...DEFAULT_SCOPES].reverse() }))).toBe(base);
    expect(manifestJson(renderManifest({ domain: "acme2.example", scopes: [...DEFAULT_SCOPES] }))).not.toBe(base);
    expect(manifestJson(renderManifest({ domain: "acme.example", scopes: GRANULAR }))).not.toBe(base);
  });

  it("derives the app identity from the uid alone, within Zoom's 50-character app name", () => {
    const identity = appIdentity("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(identity).toBe("zio-0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(identity.length).toBeLessThanOrEqual(50);
  });
});

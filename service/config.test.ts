import { describe, expect, it } from "vitest";
import { ConfigError } from "../common/config-error.ts";
import { loadConfig } from "./config.ts";

const chartEnv = {
  ZOOM_INTEGRATION_NAME: "acme",
  POD_NAMESPACE: "tenant-acme",
  POD_NAME: "acme-zoom-7c9d-xk2p4",
  ZOOM_DOMAIN: "acme.example",
  ZOOM_AFTER_CONNECT_PATH: "/organization/integration/zoom",
  ZOOM_REQUIRED_SCOPES: "meeting:read:admin  meeting:write:admin user:read:admin",
  ZOOM_OAUTH_BASE_URL: "https://zoom.us/",
  ZOOM_API_BASE_URL: "https://api.zoom.us",
  ZOOM_TOKENS_SECRET: "acme-zoom-tokens",
  ZOOM_STATE_CONFIGMAP: "acme-zoom-state",
  PUBLIC_PORT: "8080",
  API_PORT: "8081",
  ZOOM_CREDENTIALS_DIR: "/var/run/zoom/credentials",
  ZOOM_API_TOKEN_DIR: "/var/run/zoom/api",
};

describe("loadConfig", () => {
  it("reads the environment the tenant chart sets and derives the public URLs from the domain", () => {
    const c = loadConfig(chartEnv);
    expect(c.publicOrigin).toBe("https://app.acme.example");
    expect(c.redirectUrl).toBe("https://app.acme.example/organization/integration/zoom/redirect");
    expect(c.requiredScopes).toEqual(["meeting:read:admin", "meeting:write:admin", "user:read:admin"]);
    expect(c.oauthBaseUrl).toBe("https://zoom.us");
    expect(c.webhookSecretFile).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("lists every missing or malformed variable at once", () => {
    const error = (() => {
      try {
        loadConfig({
          ...chartEnv,
          ZOOM_DOMAIN: "not a domain",
          ZOOM_TOKENS_SECRET: undefined,
          PUBLIC_PORT: "http",
          ZOOM_AFTER_CONNECT_PATH: "//evil.example",
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain("ZOOM_DOMAIN");
    expect(problems).toContain("ZOOM_TOKENS_SECRET: is required");
    expect(problems).toContain("PUBLIC_PORT");
    expect(problems).toContain("ZOOM_AFTER_CONNECT_PATH");
  });

  it("defaults the refresh deadline to 10 s with a lock 5 s longer, and refuses a zero deadline", () => {
    const c = loadConfig(chartEnv);
    expect([c.refreshDeadlineMs, c.refreshLockMarginMs, c.shutdownDelayMs]).toEqual([10_000, 5_000, 0]);
    expect(loadConfig({ ...chartEnv, REFRESH_DEADLINE_SECONDS: "0.5" }).refreshDeadlineMs).toBe(500);
    expect(() => loadConfig({ ...chartEnv, REFRESH_DEADLINE_SECONDS: "0" })).toThrow(/REFRESH_DEADLINE_SECONDS/);
  });

  it("lets a local run use a plain-HTTP public origin", () => {
    expect(loadConfig({ ...chartEnv, PUBLIC_ORIGIN: "http://localhost:8080" }).redirectUrl).toBe(
      "http://localhost:8080/organization/integration/zoom/redirect",
    );
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError } from "../common/config-error.ts";
import { helpText, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("applies documented defaults when nothing is set", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ WATCH_NAMESPACES: [], WORKERS: 4, LEADER_ELECT: true, METRICS_PORT: 8080, HEALTH_PORT: 8081 });
    expect(c.STUCK_WATCH_SECONDS).toBe(300);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("lets flags win over the environment", () => {
    const c = loadConfig({ WORKERS: "2", WATCH_NAMESPACES: "a,b" }, ["--workers", "8", "--watch-namespaces", "c"]);
    expect(c.WORKERS).toBe(8);
    expect(c.WATCH_NAMESPACES).toEqual(["c"]);
  });

  it("lists every problem at once, naming each setting", () => {
    try {
      loadConfig({ WORKERS: "zero", LEADER_ELECT: "maybe", WATCH_NAMESPACES: "Bad_NS" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      for (const key of ["WORKERS", "LEADER_ELECT", "WATCH_NAMESPACES"]) expect(text).toContain(key);
    }
  });

  it("takes the liveness bound for a failing watch from a flag, and refuses one too short to ride out an API server restart", () => {
    expect(loadConfig({}, ["--stuck-watch-seconds", "120"]).STUCK_WATCH_SECONDS).toBe(120);
    expect(() => loadConfig({ STUCK_WATCH_SECONDS: "5" })).toThrow(/STUCK_WATCH_SECONDS/);
  });

  it("takes the tenants' metrics scrapers as a NetworkPolicy peer in JSON, and leaves the port closed without it", () => {
    const peer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: {} };
    expect(loadConfig({ METRICS_SCRAPERS: JSON.stringify(peer) }).METRICS_SCRAPERS).toEqual(peer);
    expect(loadConfig({}).METRICS_SCRAPERS).toBeUndefined();
  });

  it("refuses metrics scrapers that are not JSON or not a selector, saying which", () => {
    expect(() => loadConfig({ METRICS_SCRAPERS: "app=prometheus" })).toThrow(/METRICS_SCRAPERS.*must be JSON/s);
    expect(() => loadConfig({ METRICS_SCRAPERS: '{"podSelector":{"matchLabel":{}}}' })).toThrow(/METRICS_SCRAPERS.*podSelector/s);
  });

  it("refuses an unknown flag with its name", () => {
    expect(() => loadConfig({}, ["--wrokers", "2"])).toThrow(/wrokers/);
  });

  it("documents every flag in the help text", () => {
    expect(helpText()).toContain("--watch-namespaces");
    expect(helpText()).toContain("WATCH_NAMESPACES");
  });
});

import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { containerEnv, expand, rewriteMountPaths } from "./env.ts";
import { MissingSourceError, type ObjectSources } from "./sources.ts";

const pod: V1Pod = {
  metadata: { name: "acme-zoom-1", namespace: "tenant", uid: "u1", labels: { app: "a" } },
  spec: { containers: [], nodeName: "kwok-node-0", serviceAccountName: "acme-zoom" },
  status: { podIP: "127.1.0.9" },
};
const sources: ObjectSources = {
  secret: (_ns, name) => (name === "creds" ? { data: { clientId: Buffer.from("id").toString("base64") } } : undefined),
  configMap: (_ns, name) => (name === "settings" ? { data: { A: "1", "B=bad": "x" } } : undefined),
};
const mounts = new Map([
  ["/var/run/zoom/credentials", "/work/p/volumes/credentials"],
  ["/var/run/zoom", "/work/p/volumes/zoom"],
  ["/tmp", "/work/p/volumes/tmp"],
]);
const env = (container: Partial<V1Container>) => containerEnv({ pod, container: { name: "c", ...container }, sources, mounts });

describe("containerEnv", () => {
  it("resolves downward-API fields, Secret and ConfigMap keys and envFrom with a prefix", () => {
    expect(
      env({
        envFrom: [{ configMapRef: { name: "settings" }, prefix: "CFG_" }],
        env: [
          { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "ID", valueFrom: { secretKeyRef: { name: "creds", key: "clientId" } } },
        ],
      }),
    ).toEqual({ CFG_A: "1", POD_NAME: "acme-zoom-1", POD_NAMESPACE: "tenant", APP: "a", IP: "127.1.0.9", ID: "id" });
  });

  it("rewrites a value inside a mount path to the local directory, preferring the longest mount", () => {
    expect(
      env({
        env: [
          { name: "DIR", value: "/var/run/zoom/credentials" },
          { name: "FILE", value: "/var/run/zoom/webhook/secret-token" },
          { name: "OTHER", value: "/var/run/zoomed" },
        ],
      }),
    ).toEqual({ DIR: "/work/p/volumes/credentials", FILE: "/work/p/volumes/zoom/webhook/secret-token", OTHER: "/var/run/zoomed" });
  });

  it("throws MissingSourceError for a required missing Secret and skips an optional one", () => {
    expect(() => env({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "nope", key: "k" } } }] })).toThrow(MissingSourceError);
    expect(env({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "nope", key: "k", optional: true } } }] })).toEqual({});
    expect(() => env({ envFrom: [{ secretRef: { name: "nope" } }] })).toThrow(MissingSourceError);
  });
});

describe("expand", () => {
  it.each([
    ["$(A)-x", "1-x", "a defined variable is substituted"],
    ["$(MISSING)", "$(MISSING)", "an undefined variable is left as written"],
    ["$$(A)", "$(A)", "$$ escapes a reference"],
    ["no refs", "no refs", "plain text is unchanged"],
  ])("%s -> %s (%s)", (input, want) => {
    expect(expand(input, { A: "1" })).toBe(want);
  });
});

describe("rewriteMountPaths", () => {
  it("only matches on a path boundary", () => {
    expect(rewriteMountPaths("/tmpfoo", mounts)).toBe("/tmpfoo");
    expect(rewriteMountPaths("/tmp/x", mounts)).toBe("/work/p/volumes/tmp/x");
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadKubeAccess, TOKEN_FILE_MAX_AGE_MS } from "./kube-access.ts";

const NONE = { kubeconfig: undefined, serviceHost: undefined, servicePort: undefined };
const b64 = (s: string) => Buffer.from(s).toString("base64");

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "zio-kube-access-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = { server: "https://10.0.0.1:6443" }) {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "other", cluster: { server: "https://wrong" } },
      { name: "c", cluster },
    ],
    users: [{ name: "u", user }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u", namespace: "ns" } }],
    "current-context": "ctx",
  };
}

async function optionsOf(access: { applyToHTTPSOptions(o: RequestOptions): Promise<void> }): Promise<RequestOptions> {
  const options: RequestOptions = {};
  await access.applyToHTTPSOptions(options);
  return options;
}

describe("the service's Kubernetes credentials (no client-node)", () => {
  it("reads a JSON kubeconfig's current context: server, CA and bearer token", async () => {
    const d = dir({
      config: JSON.stringify(kubeconfig({ token: "t0k" }, { server: "https://10.0.0.1:6443", "certificate-authority-data": b64("CA") })),
    });
    const access = await loadKubeAccess({ ...NONE, kubeconfig: join(d, "config") });
    expect(access.getCurrentCluster()).toMatchObject({ name: "c", server: "https://10.0.0.1:6443", skipTLSVerify: false });
    const options = await optionsOf(access);
    expect(options.headers).toEqual({ Authorization: "Bearer t0k" });
    expect(String(options.ca)).toBe("CA");
  });

  it("reads a YAML kubeconfig with a client certificate in files named relative to it, and insecure-skip-tls-verify", async () => {
    const d = dir({ "u.crt": "CERT", "u.key": "KEY" });
    writeFileSync(
      join(d, "config"),
      stringify(
        kubeconfig({ "client-certificate": "u.crt", "client-key": "u.key" }, { server: "https://h:1", "insecure-skip-tls-verify": true }),
      ),
    );
    const options = await optionsOf(await loadKubeAccess({ ...NONE, kubeconfig: join(d, "config") }));
    expect([String(options.cert), String(options.key), options.rejectUnauthorized, options.headers]).toEqual([
      "CERT",
      "KEY",
      false,
      undefined,
    ]);
  });

  it("uses the in-cluster ServiceAccount in a pod, re-reading its rotated token once it is a minute old", async () => {
    const sa = dir({ token: "first\n", "ca.crt": "POD-CA" });
    let now = 0;
    const access = await loadKubeAccess({ ...NONE, serviceHost: "fd00::1", servicePort: "443" }, { serviceAccountDir: sa, now: () => now });
    expect(access.getCurrentCluster()?.server).toBe("https://[fd00::1]:443");
    expect((await optionsOf(access)).headers).toEqual({ Authorization: "Bearer first" });
    expect(String((await optionsOf(access)).ca)).toBe("POD-CA");
    writeFileSync(join(sa, "token"), "second");
    now = TOKEN_FILE_MAX_AGE_MS - 1;
    expect((await optionsOf(access)).headers).toEqual({ Authorization: "Bearer first" });
    now = TOKEN_FILE_MAX_AGE_MS;
    expect((await optionsOf(access)).headers).toEqual({ Authorization: "Bearer second" });
  });

  it("prefers KUBECONFIG to the pod's ServiceAccount, as client-node does", async () => {
    const d = dir({ config: JSON.stringify(kubeconfig({ token: "from-file" })), token: "from-pod", "ca.crt": "x" });
    const access = await loadKubeAccess(
      { kubeconfig: join(d, "config"), serviceHost: "10.0.0.9", servicePort: "443" },
      { serviceAccountDir: d },
    );
    expect((await optionsOf(access)).headers).toEqual({ Authorization: "Bearer from-file" });
  });

  it("hands a kubeconfig it does not understand (an exec plugin) to client-node's KubeConfig", async () => {
    const d = dir({ config: JSON.stringify(kubeconfig({ exec: { apiVersion: "client.authentication.k8s.io/v1", command: "true" } })) });
    const access = await loadKubeAccess({ ...NONE, kubeconfig: join(d, "config") });
    expect(access.constructor.name).toBe("KubeConfig");
    expect(access.getCurrentCluster()?.server).toBe("https://10.0.0.1:6443");
  });

  it("says where it looked when there are no credentials at all", async () => {
    const empty = dir({});
    await expect(loadKubeAccess(NONE, { serviceAccountDir: empty, home: empty })).rejects.toThrow(
      /KUBECONFIG is not set.*token does not exist.*\.kube\/config/,
    );
  });

  it("names a context that points at a missing cluster", async () => {
    const config = { ...kubeconfig({ token: "t" }), "current-context": "nope" };
    const d = dir({ config: JSON.stringify(config) });
    await expect(loadKubeAccess({ ...NONE, kubeconfig: join(d, "config") })).rejects.toThrow(/no context named "nope"/);
  });
});

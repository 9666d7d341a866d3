// What integration and e2e tests use to talk to the shared control plane.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { issueClientCert } from "../cluster/certs.ts";
import type { ClusterInfo } from "./cluster-info.ts";
import "./cluster-info.ts";

const run = promisify(execFile);

export interface ClusterEnv extends ClusterInfo {
  /** A KubeConfig for the cluster admin (system:masters). */
  readonly kc: KubeConfig;
}

export function clusterEnv(): ClusterEnv {
  const info = inject("cluster");
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfigPath);
  return { ...info, kc };
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built kubectl as the admin (or with `kubeconfig`); never throws on a non-zero exit. */
export async function kubectl(args: readonly string[], options: { input?: string; kubeconfig?: string } = {}): Promise<KubectlResult> {
  const env = clusterEnv();
  return new Promise((resolve) => {
    const child = execFile(
      env.kubectl,
      [`--kubeconfig=${options.kubeconfig ?? env.kubeconfigPath}`, ...args],
      { maxBuffer: 32 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // NB: a command that never reads stdin (get, explain) closes it: ignore EPIPE, write only input.
    child.stdin?.on("error", () => {});
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** A KubeConfig that authenticates as `user` in `groups` by client certificate (RBAC applies for real). */
export async function userKubeConfig(user: string, groups: readonly string[] = []): Promise<KubeConfig> {
  const env = clusterEnv();
  const cert = await issueClientCert(env.dir, user, groups);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "zio", server: env.server, caData: (await readFile(`${env.dir}/ca.crt`)).toString("base64") }],
    users: [
      {
        name: user,
        certData: (await readFile(cert.cert)).toString("base64"),
        keyData: (await readFile(cert.key)).toString("base64"),
      },
    ],
    contexts: [{ name: "zio", cluster: "zio", user }],
    currentContext: "zio",
  });
  return kc;
}

/** Creates a fresh namespace named `<prefix>-<random>` and returns its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase();
  await clusterEnv()
    .kc.makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name, labels: { "zio-test": "true" } } } });
  return name;
}

/**
 * Waits until the test namespaces other files deleted are gone. Needed by tests that see the whole
 * cluster: an all-namespaces operator, or the API server's cluster-wide request counters.
 */
export async function otherTestNamespacesGone(except: string[], timeout = 150_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const res = await kubectl(["get", "namespaces", "-l", "zio-test=true", "-o", "jsonpath={.items[*].metadata.name}"]);
    const others = res.stdout.split(" ").filter((n) => n && !except.includes(n));
    if (others.length === 0) return;
    if (Date.now() > deadline) throw new Error(`test namespaces still terminating after ${timeout} ms: ${others.join(", ")}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The namespace's Events, oldest first, one line each: what a failing test prints to explain itself. */
export async function describeEvents(namespace: string): Promise<string> {
  const res = await kubectl(["get", "events", "-n", namespace, "--sort-by=.lastTimestamp", "-o", "wide"]);
  return res.stdout || res.stderr;
}

/**
 * A namespace for one test file: created before all tests, its Events (and any `extraLogs`) printed
 * after a failing test, deleted after all tests.
 */
export function useNamespace(prefix: string, extraLogs: () => string | Promise<string> = () => ""): { readonly name: string } {
  const holder = { name: "" };
  beforeAll(async () => {
    holder.name = await createNamespace(prefix);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== "fail") return;
    console.error(`--- Events in ${holder.name} ---\n${await describeEvents(holder.name)}\n--- logs ---\n${await extraLogs()}`);
  });
  afterAll(async () => {
    if (!holder.name) return;
    // NB: the file's operator is stopped by now; ZoomIntegrations still carrying its finalizer would
    // keep the namespace Terminating forever, so the test releases them first.
    const list = await kubectl(["get", "zoomintegrations", "-n", holder.name, "-o", "name"]);
    for (const name of list.stdout.split("\n").filter(Boolean)) {
      await kubectl(["patch", name, "-n", holder.name, "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
    }
    // NB: likewise the operator's revoke guard on Secrets of tenants that hold grants (operator/controller/revoke-guard.ts).
    const secrets = await kubectl([
      "get",
      "secrets",
      "-n",
      holder.name,
      "-o",
      'jsonpath={range .items[?(@.metadata.finalizers)]}{.metadata.name}{"\\n"}{end}',
    ]);
    for (const name of secrets.stdout.split("\n").filter(Boolean)) {
      await kubectl(["patch", "secret", name, "-n", holder.name, "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
    }
    await kubectl(["delete", "namespace", holder.name, "--wait=false"]);
  });
  return holder;
}

export { run as execFileAsync };

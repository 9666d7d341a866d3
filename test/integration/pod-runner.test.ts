// The pod runner on the real control plane: kwok's pods of a Deployment become real processes on
// their loopback IPs, and the Deployment's availability follows the processes' readiness.
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../common/logger.ts";
import { EXTERNAL_READINESS_LABEL } from "../cluster/kwok-stages.ts";
import { repoRoot } from "../cluster/paths.ts";
import { isAlive } from "../cluster/processes.ts";
import { commandTable } from "../pod-runner/commands.ts";
import { type PodRunner, startPodRunner } from "../pod-runner/pod-runner.ts";
import { clusterEnv, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";

const env = clusterEnv();
const core = env.kc.makeApiClient(CoreV1Api);
const apps = env.kc.makeApiClient(AppsV1Api);
const logLines: string[] = [];
const ns = useNamespace("pod-runner", () => logLines.slice(-80).join("\n"));
const FIXTURE = join(repoRoot, "test", "pod-runner", "fixtures", "fake-service.ts");
const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
let runner: PodRunner;

function manifests(namespace: string): object[] {
  const meta = (name: string) => ({ name, namespace });
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("fake"), automountServiceAccountToken: false },
    { apiVersion: "v1", kind: "Secret", metadata: meta("creds"), stringData: { clientId: "id-1", unused: "x" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta("gate"), data: { ready: "false" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta("settings"), data: { GREETING: "hello" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("fake"),
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "fake" } },
        template: {
          metadata: { labels: { app: "fake", [EXTERNAL_READINESS_LABEL]: "true" } },
          spec: {
            serviceAccountName: "fake",
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: "service",
                image: "fake-service:test",
                args: ["service"],
                ports: [
                  { name: "api", containerPort: 8081 },
                  { name: "public", containerPort: 8080 },
                ],
                env: [
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "ZOOM_CREDENTIALS_DIR", value: "/var/run/zoom/credentials" },
                  { name: "READY_FILE", value: "/etc/gate/ready" },
                  { name: "CLIENT_ID", valueFrom: { secretKeyRef: { name: "creds", key: "clientId" } } },
                  { name: "EXPANDED", value: "$(POD_NAME)-x" },
                ],
                envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }],
                readinessProbe: { httpGet: { path: "/readyz", port: "api" }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: "/healthz", port: "api" }, periodSeconds: 10 },
                volumeMounts: [
                  { name: "credentials", mountPath: "/var/run/zoom/credentials", readOnly: true },
                  { name: "gate", mountPath: "/etc/gate", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "credentials", secret: { secretName: "creds", items: [{ key: "clientId", path: "client-id" }], defaultMode: 0o440 } },
              { name: "gate", configMap: { name: "gate" } },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    },
  ];
}

async function apply(objects: object[]): Promise<void> {
  const res = await kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
  expect(res.code, res.stderr).toBe(0);
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: (await res.json()) as T };
}

const pods = async (): Promise<V1Pod[]> => (await core.listNamespacedPod({ namespace: ns.name, labelSelector: "app=fake" })).items;
const deployment = (): Promise<V1Deployment> => apps.readNamespacedDeployment({ namespace: ns.name, name: "fake" });
const ready = (pod: V1Pod) => pod.status?.conditions?.find((c) => c.type === "Ready")?.status;

/** The runner's processes for live pods, one per pod, with their IPs checked against the API. */
async function runningPods(count: number) {
  const live = (await pods()).filter((p) => !p.metadata?.deletionTimestamp);
  const procs = runner.processes();
  expect(procs.map((p) => p.pod).sort()).toEqual(live.map((p) => p.metadata?.name).sort());
  expect(procs).toHaveLength(count);
  for (const p of procs) {
    expect(p.pid, `${p.pod} has a process`).toBeDefined();
    expect(p.podIP).toBe(live.find((l) => l.metadata?.name === p.pod)?.status?.podIP);
    expect(p.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
  }
  return procs;
}

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => logLines.push(...chunk.toString("utf8").trimEnd().split("\n")));
  runner = await startPodRunner({
    kc: env.kc,
    namespaces: [ns.name],
    commandFor: commandTable([{ image: "fake-service:test", run: { command: process.execPath, args: [FIXTURE] } }]),
    log: createLogger({ level: "debug", name: "pod-runner", destination: stream }),
    maxProbeIntervalMs: 300,
  });
  await apply(manifests(ns.name));
});

afterAll(async () => {
  await runner?.stop();
});

describe("pod runner", () => {
  it("runs one process per pod on the pod's IP, and the Deployment is available only once they answer /readyz", async () => {
    const procs = await eventually(
      async () => {
        const running = await runningPods(2);
        for (const p of running) {
          expect((await fetch(`http://${p.podIP}:8081/healthz`)).status).toBe(200);
          expect((await fetch(`http://${p.podIP}:8080/healthz`)).status).toBe(200);
        }
        return running;
      },
      { timeout: 60_000 },
    );
    // Several probe periods with live processes that answer 503: never available, pods never Ready.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const d = await deployment();
      expect(d.status?.availableReplicas ?? 0).toBe(0);
      expect((await pods()).map(ready)).toEqual(["False", "False"]);
      for (const p of procs) expect((await fetch(`http://${p.podIP}:8081/readyz`)).status).toBe(503);
    }
    const t0 = Date.now();
    await core.patchNamespacedConfigMap({ namespace: ns.name, name: "gate", body: { data: { ready: "true" } } }, MERGE_PATCH);
    await eventually(
      async () => {
        const d = await deployment();
        expect(d.status?.availableReplicas).toBe(2);
        expect(d.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");
      },
      { timeout: 60_000 },
    );
    console.log(
      `[measure] Deployment available ${Date.now() - t0} ms after the readiness ConfigMap changed (file update, probe, status, controllers)`,
    );
    expect(runner.processes().every((p) => p.ready)).toBe(true);
  });

  it("gives the process the pod's env with mount paths made local, its Secret files and a ServiceAccount kubeconfig", async () => {
    const [p] = await runningPods(2);
    if (!p) throw new Error("no process");
    const { body: e } = await getJson<Record<string, string>>(`http://${p.podIP}:8081/env`);
    expect(e).toMatchObject({
      POD_NAME: p.pod,
      POD_NAMESPACE: ns.name,
      BIND_ADDRESS: p.podIP,
      CLIENT_ID: "id-1",
      CFG_GREETING: "hello",
      EXPANDED: `${p.pod}-x`,
      HOSTNAME: p.pod,
      ZOOM_CREDENTIALS_DIR: join(p.dir, "volumes", "credentials"),
      READY_FILE: join(p.dir, "volumes", "gate", "ready"),
      TMPDIR: join(p.dir, "volumes", "tmp"),
    });
    const file = await getJson<{ content: string }>(
      `http://${p.podIP}:8081/file?path=${encodeURIComponent(`${e["ZOOM_CREDENTIALS_DIR"]}/client-id`)}`,
    );
    expect(file.body.content).toBe("id-1");
    expect((await getJson(`http://${p.podIP}:8081/file?path=${encodeURIComponent(`${e["ZOOM_CREDENTIALS_DIR"]}/unused`)}`)).status).toBe(
      404,
    );
    const who = await getJson<{ username: string }>(`http://${p.podIP}:8081/whoami`);
    expect(who.body.username).toBe(`system:serviceaccount:${ns.name}:fake`);
  });

  it("rewrites the files of a Secret volume when the Secret changes", async () => {
    await core.patchNamespacedSecret({ namespace: ns.name, name: "creds", body: { stringData: { clientId: "id-2" } } }, MERGE_PATCH);
    await eventually(
      async () => {
        for (const p of await runningPods(2)) {
          const path = join(p.dir, "volumes", "credentials", "client-id");
          const file = await getJson<{ content: string }>(`http://${p.podIP}:8081/file?path=${encodeURIComponent(path)}`);
          expect(file.body.content).toBe("id-2");
        }
      },
      { timeout: 30_000 },
    );
  });

  it("stops the process of a pod that goes away when the Deployment scales down", async () => {
    const before = await runningPods(2);
    await apps.patchNamespacedDeploymentScale({ namespace: ns.name, name: "fake", body: { spec: { replicas: 1 } } }, MERGE_PATCH);
    const after = await eventually(() => runningPods(1), { timeout: 30_000 });
    const gone = before.find((b) => b.pod !== after[0]?.pod);
    if (!gone?.pid) throw new Error("expected one pod to go away");
    await eventually(() => expect(isAlive(gone.pid!)).toBe(false), { timeout: 10_000 });
    await expect(fetch(`http://${gone.podIP}:8081/healthz`)).rejects.toThrow();
  });

  it("leaves no process running after stop() and marks its pods not ready", async () => {
    const pids = runner.processes().map((p) => p.pid);
    expect(pids).toHaveLength(1);
    await runner.stop();
    for (const pid of pids) expect(isAlive(pid!)).toBe(false);
    expect(runner.processes()).toEqual([]);
    await eventually(async () => expect((await pods()).map(ready)).toEqual(["False"]), { timeout: 10_000 });
  });
});

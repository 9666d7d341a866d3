// The meetings benchmark's real control plane: a fresh one (or ZIO_CLUSTER_DIR's), a tenant namespace with
// the chart's ServiceAccount, Role and state ConfigMap, a client acting as that ServiceAccount, and
// the counters the bench reports (the API server's writes, etcd's database size).
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { renderTenant } from "../../charts/tenant/render.ts";
import { minimalProps } from "../../charts/tenant/test-fixtures.ts";
import { parseShard } from "../../service/meetings/record-codec.ts";
import { issueClientCert } from "../cluster/certs.ts";
import { type ControlPlaneState, loadState, startControlPlane, stopControlPlane } from "../cluster/control-plane.ts";
import { repoRoot } from "../cluster/paths.ts";

const run = promisify(execFile);

export interface BenchPlane {
  readonly state: ControlPlaneState;
  readonly namespace: string;
  readonly stateConfigMap: string;
  /** Acting as the tenant's ServiceAccount, under the chart's Role. */
  readonly serviceKc: KubeConfig;
  readonly adminApi: CoreV1Api;
  stop(): Promise<void>;
}

export async function startBenchPlane(say: (m: string) => void): Promise<BenchPlane> {
  const reuse = process.env["ZIO_CLUSTER_DIR"];
  const state = reuse ? await loadState(reuse) : await freshPlane(say);
  if (!state) throw new Error(`ZIO_CLUSTER_DIR=${reuse} holds no control plane`);
  const admin = new KubeConfig();
  admin.loadFromFile(state.kubeconfigPath);
  const adminApi = admin.makeApiClient(CoreV1Api);
  const namespace = `bench-${Date.now().toString(36)}`;
  await adminApi.createNamespace({ body: { metadata: { name: namespace } } });
  const objects = renderTenant(minimalProps({ namespace }))
    .filter((o) => ["ServiceAccount", "Role", "RoleBinding", "ConfigMap"].includes(o.kind))
    .map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } }));
  await kubectl(state, ["apply", "-n", namespace, "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  const serviceKc = await serviceAccountConfig(state, namespace);
  return {
    state,
    namespace,
    stateConfigMap: "acme-zoom-state",
    serviceKc,
    adminApi,
    async stop() {
      await adminApi.deleteNamespace({ name: namespace }).catch(() => undefined);
      if (!reuse) await stopControlPlane(state);
    },
  };
}

async function freshPlane(say: (m: string) => void): Promise<ControlPlaneState> {
  const binDir = process.env["ZIO_CLUSTER_BIN"] ?? (await run("bash", [join(repoRoot, "test/cluster/build-binaries.sh")])).stdout.trim();
  const dir = await mkdtemp(join(tmpdir(), "zio-bench-"));
  return startControlPlane({ binDir, dir, nodes: 1, progress: (m) => say(`[cluster] ${m}`) });
}

async function serviceAccountConfig(state: ControlPlaneState, namespace: string): Promise<KubeConfig> {
  const user = `system:serviceaccount:${namespace}:acme-zoom`;
  const cert = await issueClientCert(state.dir, user, ["system:serviceaccounts", `system:serviceaccounts:${namespace}`]);
  const kc = new KubeConfig();
  const b64 = async (file: string) => (await readFile(file)).toString("base64");
  kc.loadFromOptions({
    clusters: [{ name: "zio", server: state.server, caData: await b64(join(state.dir, "ca.crt")) }],
    users: [{ name: user, certData: await b64(cert.cert), keyData: await b64(cert.key) }],
    contexts: [{ name: "zio", cluster: "zio", user }],
    currentContext: "zio",
  });
  return kc;
}

async function kubectl(state: ControlPlaneState, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(state.kubectl, [`--kubeconfig=${state.kubeconfigPath}`, ...args], { maxBuffer: 64 << 20 }, (e, out, err) =>
      e ? reject(new Error(`kubectl ${args.join(" ")}: ${err}`)) : resolve(out),
    );
    child.stdin?.end(input ?? "");
  });
}

/** kube-apiserver's apiserver_request_total for ConfigMaps, split into writes and reads. */
export async function configMapRequests(state: ControlPlaneState): Promise<{ writes: number; reads: number }> {
  const lines = (await kubectl(state, ["get", "--raw", "/metrics"]))
    .split("\n")
    .filter((l) => l.startsWith("apiserver_request_total{") && l.includes('resource="configmaps"'));
  const sum = (verbs: RegExp) =>
    lines.filter((l) => verbs.test(l)).reduce((total, l) => total + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { writes: sum(/verb="(APPLY|PATCH|POST|PUT|DELETE)"/), reads: sum(/verb="(GET|LIST)"/) };
}

/**
 * etcd's own figures: the database file's size (etcd_mvcc_db_total_size_in_bytes, grows with every
 * revision until compaction) and the bytes written to its WAL. NB: kube-apiserver compacts every
 * 5 min; bbolt reuses freed pages afterwards, so on long runs the size grows less than was written.
 */
export async function etcdBytes(state: ControlPlaneState): Promise<{ dbSize: number; walWritten: number }> {
  const etcd = state.components.find((c) => c.name === "etcd");
  const cmdline = etcd ? (await readFile(`/proc/${etcd.pid}/cmdline`, "utf8")).split("\0") : [];
  const url = cmdline.find((a) => a.startsWith("--listen-client-urls="))?.split("=")[1];
  if (!url) throw new Error("etcd's client URL not found (is the plane running on this machine?)");
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) =>
    Number(
      text
        .split("\n")
        .find((l) => l.startsWith(`${name} `))
        ?.split(" ")[1] ?? Number.NaN,
    );
  return { dbSize: metric("etcd_mvcc_db_total_size_in_bytes"), walWritten: metric("etcd_disk_wal_write_bytes_total") };
}

/** The shards in the namespace: how many, how many records, how many bytes of data. */
export async function storeSize(plane: BenchPlane): Promise<{ shards: number; records: number; bytes: number; largest: number }> {
  const list = await plane.adminApi.listNamespacedConfigMap({
    namespace: plane.namespace,
    labelSelector: "app.kubernetes.io/component=idempotency-shard",
  });
  // NB: binaryData (the compact format) as the bytes etcd stores, not its base64.
  const sizes = list.items.map(
    (m) =>
      Object.entries(m.data ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0) +
      Object.entries(m.binaryData ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.from(v, "base64").length, 0),
  );
  return {
    shards: list.items.length,
    records: list.items.reduce((n, m) => n + Object.keys(parseShard(m)).length, 0),
    bytes: sizes.reduce((a, b) => a + b, 0),
    largest: Math.max(0, ...sizes),
  };
}

// The container image, built for real by `npm run image` (buildah; cached by the Dockerfile's inputs),
// then its two entrypoints run from the image's own filesystem as its user, with a read-only root
// (test/image/image-runner.ts), against the real control plane and the Zoom emulator.
import { usesJemalloc } from "../support/image-env.ts";
import { access, chown, cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppsV1Api, NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_ARGS } from "../../charts/install/install-chart.ts";
import { CONTAINER_ARGS } from "../../common/tenant/contract.ts";
import { METRICS_PORT, tenantNames } from "../../common/tenant/names.ts";
import { freePort } from "../cluster/ports.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";
import { createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { buildImage, type MountedImage, mountImage } from "./image-runner.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const RUN_AS = "10001:10001";
const SCRAPERS = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };

let image: MountedImage;
let shared = "";
let zoom: ZoomEmulator;
let operator: OperatorProcess | undefined;
let service: ServiceProcess | undefined;
let tenant: ServiceTenant | undefined;
const ns = useNamespace("image-op", () => operator?.lines.slice(-40).join("\n") ?? "");
// NB: its own namespace: the operator above must not reconcile the service test's ZoomIntegration.
const svcNs = useNamespace("image-svc", () => service?.lines.slice(-40).join("\n") ?? "");

/** The uid and gid a process runs as (/proc/<pid>/status: real, effective, saved, fs). */
async function ids(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => /^\S+:\s+(\d+)/.exec(status.split("\n").find((l) => l.startsWith(`${name}:`)) ?? "")?.[1];
  return `${field("Uid")}:${field("Gid")}`;
}

/** The options of the mounts a process sees at `path` (the last one stacked there wins). */
async function mountOptions(pid: number, path: string): Promise<string[]> {
  const lines = (await readFile(`/proc/${pid}/mountinfo`, "utf8")).split("\n").map((l) => l.split(" "));
  return (
    lines
      .filter((f) => f[4] === path)
      .at(-1)?.[5]
      ?.split(",") ?? []
  );
}

beforeAll(async () => {
  image = await mountImage(await buildImage(root));
  // Files the processes read (kubeconfigs, mounted Secrets) are bound under /tmp, owned by the
  // image's user as the kubelet's fsGroup would make them.
  shared = await mkdtemp(join(tmpdir(), "zio-image-"));
  await cp(clusterEnv().kubeconfigPath, join(shared, "kubeconfig"));
  await chown(shared, 10001, 10001);
  await chown(join(shared, "kubeconfig"), 10001, 10001);
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
}, 1_800_000);

afterAll(async () => {
  await operator?.stop();
  await service?.stop();
  await zoom?.close();
  await image?.remove();
  if (shared) await rm(shared, { recursive: true, force: true });
});

describe("the built image", () => {
  it("runs as uid/gid 10001, holds no npm, no development dependency and no node_modules", async () => {
    expect(image.config.user).toBe(RUN_AS);
    const usrLocal = await readdir(join(image.rootfs, "usr/local/bin"));
    expect(usrLocal).toContain("node");
    expect(usrLocal.filter((f) => /^(npm|npx|corepack)$/.test(f))).toEqual([]);
    // Dev-only packages are the lockfile's `"dev": true` entries (@types/node is not one: a
    // production dependency, @kubernetes/client-node, depends on it).
    const lock = JSON.parse(await readFile(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => p.dev && path.startsWith("node_modules/"));
    expect(devOnly.map(([path]) => path)).toContain("node_modules/typescript");
    const shipped = await Promise.all(devOnly.map(async ([path]) => ((await exists(join(image.rootfs, "app", path))) ? [path] : [])));
    expect(shipped.flat()).toEqual([]);
    // The bundle holds the packages it imports (scripts/build.ts): the image ships no node_modules.
    expect(await exists(join(image.rootfs, "app/node_modules"))).toBe(false);
    expect(await exists(join(image.rootfs, "app/operator/main.js"))).toBe(true);
  });

  it("runs the operator entrypoint read-only as 10001: it reconciles a ZoomIntegration on the real API server", async () => {
    operator = await startOperator({
      kubeconfigPath: join(shared, "kubeconfig"),
      identity: "image-operator",
      command: image.command(OPERATOR_ARGS, [shared]),
      env: {
        ...image.config.env,
        WATCH_NAMESPACES: ns.name,
        LEADER_ELECT: "false",
        SERVICE_IMAGE: "zoom-integration:image-test",
        METRICS_SCRAPERS: JSON.stringify(SCRAPERS),
      },
    });
    expect(await ids(operator.pid)).toBe(RUN_AS);
    expect(usesJemalloc(operator.pid), "the image's LD_PRELOAD took effect: jemalloc is mapped").toBe(true);
    const argv = (await readFile(`/proc/${operator.pid}/cmdline`, "utf8")).split("\0");
    expect(argv, "the image's ENTRYPOINT gives node --optimize-for-size").toContain("--optimize-for-size");
    expect(await mountOptions(operator.pid, "/")).toContain("ro");
    expect(await mountOptions(operator.pid, "/tmp")).toContain("rw");
    const { kc } = clusterEnv();
    await createCredentials(kc, ns.name, "acme-creds");
    await ziApi(kc).create(ns.name, zoomIntegration("acme", { domain: `${ns.name}.example` }));
    const names = tenantNames("acme");
    await eventually(
      async () => {
        const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: names.deployment, namespace: ns.name });
        expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("zoom-integration:image-test");
      },
      { timeout: 60_000 },
    );
    // METRICS_SCRAPERS reached the tenant's NetworkPolicy: the metrics port is open to those scrapers.
    const policy = await kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: names.networkPolicy, namespace: ns.name });
    const metricsRule = policy.spec?.ingress?.find((r) => r.ports?.some((p) => p.port === METRICS_PORT));
    expect(metricsRule?._from).toEqual([{ podSelector: {}, ...SCRAPERS }]);
    expect(await operator.metrics()).toContain("zio_operator_reconciles_total");
  });

  it("runs the service entrypoint read-only as 10001: ready, serving its API and its metrics on their own ports", async () => {
    tenant = await prepareServiceTenant({ namespace: svcNs.name, zoomUrl: zoom.url });
    const tenantDir = dirname(tenant.kubeconfigPath);
    await chownTree(tenantDir);
    const metricsPort = await freePort();
    service = await startServiceProcess(
      tenant,
      "svc-image-0",
      { ...image.config.env, METRICS_PORT: String(metricsPort) },
      image.command(CONTAINER_ARGS, [tenantDir]),
    );
    expect(await ids(service.pid)).toBe(RUN_AS);
    expect(await mountOptions(service.pid, "/")).toContain("ro");
    const authorization = await fetch(`${service.apiUrl}/v1/organizations/org-1/zoom/authorization`, {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.apiToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(authorization.status, await authorization.clone().text()).toBe(201);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("zio_service_http_requests_total");
    // Only /metrics there: the API is not reachable through the metrics port.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/organizations/org-1/zoom/connection`)).status).toBe(404);
  });
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function chownTree(dir: string): Promise<void> {
  await chown(dir, 10001, 10001);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    await chown(join(entry.parentPath, entry.name), 10001, 10001);
}

// The tenants of the benchmark: their manifests, their creation, "all Ready", the foreign field
// manager on one Deployment, and spec edits timed until the Deployment carries them.
import { performance } from "node:perf_hooks";
import { type KubeConfig, Watch } from "@kubernetes/client-node";
import { API_VERSION, KIND, PLURAL } from "../../common/api/constants.ts";
import { rawRequest, resourcePath, serverSideApply } from "../../common/kube/raw-client.ts";
import { CONTAINER_NAME } from "../../common/tenant/contract.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { create, inParallel, namespaceBody, sleep, tenths } from "./bench-plane.ts";
import { watchCount } from "./watch-count.ts";

export const tenantName = (i: number) => `t${i}`;
export const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Every 10th tenant writes its quantities the way the API server does not store them. */
export function usesNonCanonicalQuantities(i: number): boolean {
  return i % 10 === 0;
}

/** The one tenant whose Deployment another field manager edits (a canonical one, so effects stay apart). */
export const MESH_TENANT = 1;

/** Tenant `i` in `namespace`, its Zoom at `zoomUrl` (the benchmark's stand-in: zoom-stand-in.ts). */
export function zoomIntegrationManifest(i: number, namespace: string, zoomUrl: string) {
  const name = tenantName(i);
  const service: Record<string, unknown> = { replicas: 1 };
  if (usesNonCanonicalQuantities(i)) {
    // stored as 500m, 1, 1Gi: a naive comparison sees a difference on every reconcile
    service["resources"] = { requests: { cpu: "0.5", memory: "64Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } };
  }
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: {
      domain: `${name}.example`,
      credentialsSecretRef: { name: `${name}-creds` },
      service,
      zoom: { oauthBaseUrl: zoomUrl, apiBaseUrl: zoomUrl },
    },
  };
}

export function credentialsSecret(i: number) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `${tenantName(i)}-creds` },
    data: { clientId: b64(`client-id-${i}`), clientSecret: b64(`client-secret-${i}`) },
  };
}

/** Creates one namespace per tenant (`<prefix>-<i>`), before any clock starts. */
export async function createTenantNamespaces(kc: KubeConfig, prefix: string, count: number, concurrency: number): Promise<void> {
  await inParallel(count, concurrency, (i) => create(kc, "/api/v1/namespaces", namespaceBody(`${prefix}-${i}`, { "zio-bench": prefix })));
}

export async function createTenants(
  kc: KubeConfig,
  zoomUrl: string,
  count: number,
  concurrency: number,
  progress: (m: string) => void,
): Promise<void> {
  await inParallel(
    count,
    concurrency,
    async (i) => {
      const ns = `tenant-${i}`;
      await create(kc, resourcePath("v1", "secrets", ns), credentialsSecret(i));
      await create(kc, resourcePath(API_VERSION, PLURAL, ns), zoomIntegrationManifest(i, ns, zoomUrl));
    },
    tenths(count, (done) => progress(`created ${done}/${count} ZoomIntegrations (with their credentials Secrets)`)),
  );
}

interface ZiListItem {
  metadata?: { name?: string; namespace?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

const isReady = (z: ZiListItem) => z.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/**
 * Waits until `count` ZoomIntegrations are Ready (seen by a watch: watch-count.ts); `check` throws
 * to give up (the operator died). Returns the elapsed ms since `sinceMs`, or undefined after `timeoutMs`.
 */
export async function waitAllReady(
  kc: KubeConfig,
  count: number,
  opts: { sinceMs: number; timeoutMs: number; check: () => void; progress: (m: string) => void },
): Promise<number | undefined> {
  const ready = watchCount<ZiListItem>(kc, resourcePath(API_VERSION, PLURAL), isReady);
  let last = -1;
  let lastReport = 0;
  try {
    while (Date.now() - opts.sinceMs < opts.timeoutMs) {
      opts.check();
      const n = ready.count();
      if (n >= count) return Date.now() - opts.sinceMs;
      if (n !== last && Date.now() - lastReport > 5000) {
        opts.progress(`${n}/${count} Ready after ${((Date.now() - opts.sinceMs) / 1000).toFixed(0)} s`);
        last = n;
        lastReport = Date.now();
      }
      await sleep(100);
    }
    return undefined;
  } finally {
    ready.stop();
  }
}

/** Another controller (a service mesh) adds an env var to the tenant's container under its own name. */
export async function injectForeignEnv(kc: KubeConfig, i: number): Promise<void> {
  const ns = `tenant-${i}`;
  const body = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: tenantNames(tenantName(i)).deployment, namespace: ns },
    spec: { template: { spec: { containers: [{ name: CONTAINER_NAME, env: [{ name: "MESH_SIDECAR_PORT", value: "15001" }] }] } } },
  };
  await serverSideApply(kc, body, "deployments", "mesh-injector");
}

interface DeploymentLike {
  metadata?: { resourceVersion?: string };
  spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
}

export type EditOutcome = { readonly ms: number } | { readonly problem: string };

/**
 * Edits spec.service.podLabels of tenant `i` and returns the ms until a watch on its Deployment sees
 * the label in the pod template; after `timeoutMs`, or when the watch ends early, what went wrong.
 */
export async function timeSpecEdit(kc: KubeConfig, i: number, value: string, timeoutMs: number): Promise<EditOutcome> {
  const ns = `tenant-${i}`;
  const name = tenantName(i);
  const deployment = tenantNames(name).deployment;
  let settle: (outcome: number | string) => void = () => {};
  const arrived = new Promise<number | string>((resolve) => {
    settle = resolve;
  });
  const watch = watchObject(kc, resourcePath("apps/v1", "deployments", ns), deployment, (obj: DeploymentLike) => {
    if (obj.spec?.template?.metadata?.labels?.["bench-edit"] === value) settle(performance.now());
  });
  try {
    await Promise.race([watch.open, sleep(10_000)]);
    const t0 = performance.now();
    await rawRequest(kc, {
      method: "PATCH",
      path: resourcePath(API_VERSION, PLURAL, ns, name),
      body: { spec: { service: { podLabels: { "bench-edit": value } } } },
      contentType: "application/merge-patch+json",
    });
    const timeout = sleep(timeoutMs).then(async () => `not seen within ${timeoutMs / 1000} s: ${await describeTenant(kc, i)}`);
    const outcome = await Promise.race([arrived, timeout]);
    return typeof outcome === "number"
      ? { ms: outcome - t0 }
      : { problem: `edit ${value} of ${ns}/${name}: ${outcome} (${watch.reopened()} watch reopen(s))` };
  } finally {
    watch.stop();
  }
}

/**
 * Watches one object and hands every state of it to `onObject`, reopening the watch when it ends.
 * NB: no resourceVersion: a busy API server's watch cache may lag behind a version just read and
 * end the watch ("too large resource version"); an opened watch starts with the current object,
 * which is also how `open` knows it is listening. Watches on this machine were also seen to end
 * right after opening, hence the reopening.
 */
function watchObject(kc: KubeConfig, path: string, name: string, onObject: (obj: DeploymentLike) => void) {
  let stopped = false;
  let reopened = 0;
  let current: AbortController | undefined;
  let markOpen: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    markOpen = resolve;
  });
  const start = async (): Promise<void> => {
    if (stopped) return;
    current = await new Watch(kc).watch(
      path,
      { fieldSelector: `metadata.name=${name}` },
      (phase, obj: DeploymentLike) => {
        markOpen();
        if (phase !== "ERROR") onObject(obj);
      },
      () => {
        if (stopped) return;
        reopened++;
        void sleep(100).then(start);
      },
    );
  };
  void start();
  return {
    open,
    reopened: () => reopened,
    stop: () => {
      stopped = true;
      current?.abort();
    },
  };
}

interface ZiLike {
  metadata?: { generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason: string }[] };
}

/** What a timed-out edit left behind: the Deployment's label and the ZoomIntegration's progress. */
async function describeTenant(kc: KubeConfig, i: number): Promise<string> {
  const ns = `tenant-${i}`;
  const name = tenantName(i);
  const dep = await rawRequest<DeploymentLike>(kc, {
    method: "GET",
    path: resourcePath("apps/v1", "deployments", ns, tenantNames(name).deployment),
  });
  const zi = await rawRequest<ZiLike>(kc, { method: "GET", path: resourcePath(API_VERSION, PLURAL, ns, name) });
  const conditions = (zi.status?.conditions ?? []).map((c) => `${c.type}=${c.status}(${c.reason})`).join(" ");
  return `Deployment label bench-edit=${dep.spec?.template?.metadata?.labels?.["bench-edit"] ?? "none"}; ZoomIntegration generation ${zi.metadata?.generation}, observedGeneration ${zi.status?.observedGeneration}, ${conditions}`;
}

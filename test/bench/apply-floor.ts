// The bare server-side-apply floor: what applying a tenant's children costs with no operator at all.
// The same objects the operator would apply (renderTenant with the operator's props and its desired
// hash), applied in order by `workers` appliers (the operator's WORKERS), until every Deployment is
// available. NB: owner references are left out: the owner does not exist in these namespaces, and
// the garbage collector would delete the children.
import { randomUUID } from "node:crypto";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../../common/api/constants.ts";
import { parseZoomIntegration } from "../../common/api/zoom-integration.ts";
import { resourcePath, serverSideApply } from "../../common/kube/raw-client.ts";
import { RELEASE_IMAGE } from "../../common/tenant/contract.ts";
import { renderTenant } from "../../charts/tenant/render.ts";
import { generateApiToken } from "../../operator/controller/api-token.ts";
import { CHILD_KINDS, type ChildKind } from "../../operator/controller/caches.ts";
import { checkCredentials, resolveSecretRefs } from "../../operator/controller/credentials.ts";
import { tenantProps } from "../../operator/controller/tenant-props.ts";
import { withDesiredHash } from "../../operator/runtime/desired-state.ts";
import { inParallel, sleep, tenths } from "./bench-plane.ts";
import { watchCount } from "./watch-count.ts";
import { credentialsSecret, zoomIntegrationManifest } from "./bench-tenants.ts";

export const FLOOR_PREFIX = "floor";

/** The children the operator would apply for tenant `i` in `namespace`, without owner references. */
export function floorObjects(i: number, namespace: string, zoomUrl: string): KubernetesObject[] {
  const manifest = zoomIntegrationManifest(i, namespace, zoomUrl);
  const parsed = parseZoomIntegration({ ...manifest, metadata: { ...manifest.metadata, uid: randomUUID(), generation: 1 } });
  if (!parsed.ok) throw new Error(`the benchmark's tenant ${i} does not parse: ${parsed.errors.join("; ")}`);
  const secret = credentialsSecret(i);
  const spec = resolveSecretRefs(parsed.value.metadata.name ?? "", parsed.value.spec);
  const credentials = checkCredentials(spec, (name) => (name === secret.metadata.name ? secret : undefined));
  if (!credentials.ok) throw new Error(`the benchmark's credentials for tenant ${i} are refused: ${credentials.message}`);
  const props = tenantProps({
    zi: { ...parsed.value, spec },
    credentialsChecksum: credentials.checksum,
    apiToken: generateApiToken(),
    defaultImage: RELEASE_IMAGE,
  });
  return renderTenant(props).map((o) => {
    const { ownerReferences: _owner, ...metadata } = o.metadata;
    return withDesiredHash({ ...o, metadata } as KubernetesObject);
  });
}

async function applyTenant(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  for (const obj of objects) {
    const plural = CHILD_KINDS[obj.kind as ChildKind]?.plural;
    if (!plural) throw new Error(`no REST mapping for kind ${obj.kind}`);
    await serverSideApply(kc, obj, plural, FIELD_MANAGER);
  }
}

interface DeploymentLike {
  metadata?: { name?: string; namespace?: string };
  status?: { availableReplicas?: number };
}

const availableFloorDeployment = (d: DeploymentLike) =>
  d.metadata?.namespace?.startsWith(`${FLOOR_PREFIX}-`) === true && (d.status?.availableReplicas ?? 0) >= 1;

export interface FloorResult {
  /** Until the last apply answered. */
  readonly appliedMs: number;
  /** Until every Deployment is available (what the operator's Ready also waits for); undefined on timeout. */
  readonly availableMs: number | undefined;
}

/** Namespaces `floor-<i>` must exist. Rendering happens before the clock starts. */
export async function measureApplyFloor(
  kc: KubeConfig,
  zoomUrl: string,
  count: number,
  workers: number,
  progress: (m: string) => void,
  timeoutMs: number,
): Promise<FloorResult> {
  const rendered = Array.from({ length: count }, (_, i) => floorObjects(i, `${FLOOR_PREFIX}-${i}`, zoomUrl));
  // NB: watched from the start, as the operator's Ready is (bench-tenants.ts waitAllReady)
  const available = watchCount<DeploymentLike>(kc, resourcePath("apps/v1", "deployments"), availableFloorDeployment);
  try {
    const t0 = Date.now();
    await inParallel(
      count,
      workers,
      (i) => applyTenant(kc, rendered[i] ?? []),
      tenths(count, (done) => progress(`floor: applied ${done}/${count} tenants' children`)),
    );
    const appliedMs = Date.now() - t0;
    while (Date.now() - t0 < timeoutMs) {
      if (available.count() >= count) return { appliedMs, availableMs: Date.now() - t0 };
      await sleep(100);
    }
    return { appliedMs, availableMs: undefined };
  } finally {
    available.stop();
  }
}

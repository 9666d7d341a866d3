// Tenants for the chaos scenarios and the invariants checked on them: live ones Ready with exactly
// their children, deleted ones gone with their children and their grants revoked, no orphans, no
// stuck finalizers.
import { CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { CONNECTIONS_ANNOTATION, grantKey, summarize } from "../../../common/tenant/token-secret.ts";
import { manifestNames } from "../../../common/tenant/manifest.ts";
import { tenantNames } from "../../../common/tenant/names.ts";
import { kubectl } from "../../support/cluster-env.ts";
import { condition, createCredentials, type ZiLike, ziApi, zoomIntegration } from "../../support/tenant-fixtures.ts";
import { obtainGrant } from "../../support/zoom-grant.ts";
import type { ZoomEmulator } from "../../zoom-emulator/index.ts";
import { DEFAULT_SEED, type SeedInput } from "../../zoom-emulator/seed.ts";
import { persist } from "./chaos-kit.ts";

const REDIRECT = "https://app.acme.example/organization/integration/zoom/redirect";

/**
 * One Zoom app per tenant. NB: a new consent to the same app on the same account supersedes the
 * earlier grant, which would then look revoked without any revoke: each tenant needs its own app.
 */
const appOf = (name: string) => ({ clientId: `chaos-${name}`, clientSecret: `chaos-secret-${name}`, redirectUri: REDIRECT });

/** The emulator's default seed plus one app per tenant name (on acme's account, like acme-client). */
export function chaosSeed(names: readonly string[]): SeedInput {
  const seeded = DEFAULT_SEED.apps ?? [];
  const base = seeded[0]!;
  const apps = names.map((n) => ({ ...base, clientId: appOf(n).clientId, clientSecret: appOf(n).clientSecret }));
  return { ...DEFAULT_SEED, apps: [...seeded, ...apps] };
}

const status = (error: unknown) => (error as { code?: number }).code;
const exists = (error: unknown) => (status(error) === 409 ? true : undefined);

/** A credentials Secret and a ZoomIntegration on `zoomUrl` (each tenant its own domain); retried through outages. */
export async function createTenant(kc: KubeConfig, namespace: string, name: string, zoomUrl: string): Promise<void> {
  const app = appOf(name);
  await persist(() => createCredentials(kc, namespace, `${name}-creds`, app.clientId, app.clientSecret).then(() => true), exists);
  const zi = zoomIntegration(name, { domain: `${name}.chaos.example`, zoom: { oauthBaseUrl: zoomUrl, apiBaseUrl: zoomUrl } });
  await persist(
    () =>
      ziApi(kc)
        .create(namespace, zi)
        .then(() => true),
    exists,
  );
}

/**
 * Gives the tenant a real grant at the emulator, stored in its tokens Secret as the service would
 * after a consent; returns the emulator's grant id. NB: one at a time (the grant id is the newest).
 */
export async function connectTenant(kc: KubeConfig, zoom: ZoomEmulator, namespace: string, name: string): Promise<string> {
  const grant = await obtainGrant(zoom, { ...appOf(name), login: "admin@acme.example", organizationId: `org-${name}` });
  const id = zoom.inspect().grants.at(-1)!.id;
  const core = kc.makeApiClient(CoreV1Api);
  await persist(
    async () => {
      const secret: V1Secret = await core.readNamespacedSecret({ name: tenantNames(name).tokensSecret, namespace });
      secret.data = { ...secret.data, [grantKey(grant.organizationId)]: Buffer.from(JSON.stringify(grant)).toString("base64") };
      secret.metadata!.annotations = { ...secret.metadata!.annotations, [CONNECTIONS_ANNOTATION]: JSON.stringify([summarize(grant)]) };
      await core.replaceNamespacedSecret({ name: tenantNames(name).tokensSecret, namespace, body: secret }); // 409: read again
      return true;
    },
    undefined,
    600_000,
  ); // NB: 200 tenants under 30 operator kills take minutes to get their tokens Secrets
  return id;
}

interface Owned {
  readonly kind: string;
  readonly name: string;
  readonly ownerUid: string | undefined;
  readonly terminating: boolean;
}

/** Every object of a child kind in the namespace, with the ZoomIntegration that controls it (if any). */
async function ownedObjects(namespace: string): Promise<Owned[]> {
  const kinds = "serviceaccounts,roles,rolebindings,secrets,configmaps,deployments,services,ingresses,networkpolicies,poddisruptionbudgets";
  const res = await kubectl(["get", kinds, "-n", namespace, "-o", "json"]);
  if (res.code !== 0) throw new Error(`kubectl get: ${res.stderr}`);
  const items = (JSON.parse(res.stdout) as { items: { kind: string; metadata: Record<string, unknown> }[] }).items;
  return items.map((o) => {
    const refs = (o.metadata["ownerReferences"] ?? []) as { kind: string; uid: string; controller?: boolean }[];
    return {
      kind: o.kind,
      name: String(o.metadata["name"]),
      ownerUid: refs.find((r) => r.kind === "ZoomIntegration")?.uid,
      terminating: o.metadata["deletionTimestamp"] !== undefined,
    };
  });
}

const EXPECTED = (name: string) => {
  const n = tenantNames(name);
  return new Set([
    `ServiceAccount/${n.serviceAccount}`,
    `Role/${n.role}`,
    `RoleBinding/${n.roleBinding}`,
    `Secret/${n.tokensSecret}`,
    `Secret/${n.apiTokenSecret}`,
    `ConfigMap/${n.stateConfigMap}`,
    `ConfigMap/${manifestNames(name).configMap}`,
    `Deployment/${n.deployment}`,
    `Service/${n.service}`,
    `NetworkPolicy/${n.networkPolicy}`,
    `PodDisruptionBudget/${n.podDisruptionBudget}`,
  ]);
};

/** The problems left in the namespace (empty when every invariant holds). */
export async function tenantProblems(
  kc: KubeConfig,
  namespace: string,
  live: readonly string[],
  deleted: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  const zis = new Map<string, ZiLike>();
  for (const name of live) {
    const zi = await ziApi(kc)
      .get(namespace, name)
      .catch(() => undefined);
    if (!zi) problems.push(`${name}: missing`);
    else zis.set(name, zi);
  }
  for (const [name, zi] of zis) {
    if (condition(zi, "Ready")?.status !== "True") problems.push(`${name}: Ready=${condition(zi, "Ready")?.reason ?? "unknown"}`);
    if (zi.status?.observedGeneration !== zi.metadata.generation)
      problems.push(`${name}: generation ${zi.metadata.generation} not observed`);
  }
  for (const name of deleted) {
    const still = await ziApi(kc)
      .get(namespace, name)
      .then(
        () => true,
        (e: unknown) => status(e) !== 404,
      );
    if (still) problems.push(`${name}: deleted but still there (stuck finalizer?)`);
  }
  const uids = new Map([...zis].map(([name, zi]) => [zi.metadata.uid, name]));
  const objects = await ownedObjects(namespace);
  for (const o of objects.filter((x) => x.ownerUid !== undefined)) {
    const owner = uids.get(o.ownerUid);
    if (!owner) problems.push(`orphan ${o.kind}/${o.name}`);
    else if (!EXPECTED(owner).has(`${o.kind}/${o.name}`) && !(o.kind === "Ingress" && o.name === tenantNames(owner).ingress)) {
      problems.push(`${owner}: unexpected child ${o.kind}/${o.name}`);
    }
  }
  for (const name of zis.keys()) {
    const mine = new Set(objects.filter((o) => uids.get(o.ownerUid) === name).map((o) => `${o.kind}/${o.name}`));
    for (const want of EXPECTED(name)) if (!mine.has(want)) problems.push(`${name}: missing child ${want}`);
  }
  for (const o of objects.filter((x) => x.terminating)) problems.push(`stuck terminating ${o.kind}/${o.name}`);
  return problems;
}

/** The api-token Secret's token of each tenant (a regenerated token would break the booking app). */
export async function apiTokens(kc: KubeConfig, namespace: string, names: readonly string[]): Promise<Map<string, string>> {
  const core = kc.makeApiClient(CoreV1Api);
  const tokens = new Map<string, string>();
  for (const name of names) {
    const s = await core.readNamespacedSecret({ name: tenantNames(name).apiTokenSecret, namespace }).catch(() => undefined);
    if (s?.data?.["token"]) tokens.set(name, s.data["token"]);
  }
  return tokens;
}

/** Reasons of the RevokeFailed Events per ZoomIntegration name (a deletion that could not revoke must say so). */
export async function revokeFailedEvents(kc: KubeConfig, namespace: string): Promise<Set<string>> {
  const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
  return new Set(events.items.filter((e) => e.reason === "RevokeFailed").map((e) => e.involvedObject.name ?? ""));
}

// Where provisioning keeps what it knows about the tenant's Zoom app: the Secret `<name>-zoom-app` it
// owns. Annotations say which app (identity, id) and which manifest it last sent (a hash); the data
// holds the app's Client ID, Client Secret and webhook Secret Token. Pure: reads and builds it.
// NB: an object, not the status: status can be lost (a restore, a re-created CR with Retain), and the
// identity is written before the app is created, so a crash in between is found again.
import { createHash } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import { GROUP } from "../../common/api/constants.ts";
import { canonicalJson } from "../../common/canonical-json.ts";
import type { Condition } from "../../common/api/kube-schemas.ts";
import { APP_SECRET_KEYS, type ZoomAppManifest } from "../../common/tenant/manifest.ts";
import { tenantLabels } from "../../common/tenant/names.ts";
import type { KubeObject } from "../../charts/tenant/render.ts";

export const APP_IDENTITY_ANNOTATION = `${GROUP}/zoom-app-identity`;
export const APP_ID_ANNOTATION = `${GROUP}/zoom-app-id`;
export const MANIFEST_HASH_ANNOTATION = `${GROUP}/zoom-app-manifest-hash`;

/** Provisioning's verdict for the AppProvisioned condition (here, not in provisioning.ts, so status.ts imports no I/O). */
export interface Provisioned {
  readonly verdict: Pick<Condition, "status" | "reason" | "message">;
  readonly appId?: string | undefined;
  /** Come back after this long (Zoom unavailable). */
  readonly requeueAfterMs?: number | undefined;
}

export interface AppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly secretToken: string;
}

export interface AppRecord {
  readonly identity?: string | undefined;
  readonly appId?: string | undefined;
  readonly manifestHash?: string | undefined;
  readonly credentials?: AppCredentials | undefined;
}

export function manifestHash(manifest: ZoomAppManifest): string {
  return createHash("sha256").update(canonicalJson(manifest)).digest("hex").slice(0, 32);
}

const decode = (value: string | undefined) => (value ? Buffer.from(value, "base64").toString("utf8") : "");

export function readRecord(secret: Pick<V1Secret, "metadata" | "data"> | undefined): AppRecord {
  const a = secret?.metadata?.annotations ?? {};
  const d = secret?.data ?? {};
  const credentials = {
    clientId: decode(d[APP_SECRET_KEYS.clientId]),
    clientSecret: decode(d[APP_SECRET_KEYS.clientSecret]),
    secretToken: decode(d[APP_SECRET_KEYS.secretToken]),
  };
  const complete = credentials.clientId !== "" && credentials.clientSecret !== "" && credentials.secretToken !== "";
  return {
    identity: a[APP_IDENTITY_ANNOTATION],
    appId: a[APP_ID_ANNOTATION],
    manifestHash: a[MANIFEST_HASH_ANNOTATION],
    credentials: complete ? credentials : undefined,
  };
}

export interface RecordTarget {
  readonly name: string;
  readonly namespace: string;
  readonly secretName: string;
  readonly owner: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string };
}

/**
 * The whole Secret for server-side apply. NB: always the complete record: a field left out of an
 * apply is removed, so a partial record would drop the stored credentials.
 */
export function recordSecret(t: RecordTarget, r: AppRecord, options: { owned: boolean } = { owned: true }): KubeObject {
  const annotations: Record<string, string> = {};
  if (r.identity) annotations[APP_IDENTITY_ANNOTATION] = r.identity;
  if (r.appId) annotations[APP_ID_ANNOTATION] = r.appId;
  if (r.manifestHash) annotations[MANIFEST_HASH_ANNOTATION] = r.manifestHash;
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const data = r.credentials
    ? {
        [APP_SECRET_KEYS.clientId]: b64(r.credentials.clientId),
        [APP_SECRET_KEYS.clientSecret]: b64(r.credentials.clientSecret),
        [APP_SECRET_KEYS.secretToken]: b64(r.credentials.secretToken),
      }
    : {};
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: t.secretName,
      namespace: t.namespace,
      labels: tenantLabels(t.name),
      annotations,
      ...(options.owned ? { ownerReferences: [{ ...t.owner, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    type: "Opaque",
    data,
  };
}

// Pure checks of the Secrets a ZoomIntegration references. Secret values never leave this file:
// callers get a verdict and a checksum (for the pod-template annotation that rolls pods on rotation).
import { createHash } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import { Reason } from "../../common/api/constants.ts";
import type { ZoomIntegration, ZoomIntegrationSpec } from "../../common/api/zoom-integration.ts";
import { APP_SECRET_KEYS, manifestNames } from "../../common/tenant/manifest.ts";

export type CredentialsRef = NonNullable<ZoomIntegrationSpec["credentialsSecretRef"]>;
/** A spec whose credentials (and, with provisioning, webhook) Secret references are filled in. */
export type ResolvedSpec = ZoomIntegrationSpec & { readonly credentialsSecretRef: CredentialsRef };

/** A ZoomIntegration whose Secret references are resolved (provisioning: the operator's own Secret). */
export type ResolvedZoomIntegration = ZoomIntegration & { readonly spec: ResolvedSpec };

/**
 * With provisioning, the credentials and the webhook Secret Token are in the Secret the operator owns
 * (`<name>-zoom-app`): everything downstream (checks, the chart, revocation) reads them like a hand-made one.
 */
export function resolveSecretRefs(name: string, spec: ZoomIntegrationSpec): ResolvedSpec {
  if (spec.credentialsSecretRef) return { ...spec, credentialsSecretRef: spec.credentialsSecretRef };
  const appSecret = manifestNames(name).appSecret;
  return {
    ...spec,
    credentialsSecretRef: { name: appSecret, clientIdKey: APP_SECRET_KEYS.clientId, clientSecretKey: APP_SECRET_KEYS.clientSecret },
    webhookSecretRef: { name: appSecret, key: APP_SECRET_KEYS.secretToken },
  };
}

export type CredentialsVerdict =
  | { readonly ok: true; readonly checksum: string }
  | {
      readonly ok: false;
      readonly reason: typeof Reason.SecretNotFound | typeof Reason.SecretKeyMissing | typeof Reason.SecretKeyEmpty;
      readonly message: string;
    };

function keyProblem(secret: V1Secret, key: string): CredentialsVerdict | undefined {
  const name = secret.metadata?.name ?? "";
  const value = secret.data?.[key];
  if (value === undefined) {
    const keys =
      Object.keys(secret.data ?? {})
        .sort()
        .join(", ") || "none";
    return { ok: false, reason: Reason.SecretKeyMissing, message: `Secret ${name} has no key "${key}" (its keys: ${keys})` };
  }
  if (Buffer.from(value, "base64").toString("utf8").trim() === "") {
    return { ok: false, reason: Reason.SecretKeyEmpty, message: `Secret ${name} key "${key}" is empty` };
  }
  return undefined;
}

/** Names of the Secrets the spec references (credentials, and webhook when set). */
export function referencedSecretNames(spec: Pick<ResolvedSpec, "credentialsSecretRef" | "webhookSecretRef">): string[] {
  return [spec.credentialsSecretRef.name, ...(spec.webhookSecretRef ? [spec.webhookSecretRef.name] : [])];
}

/**
 * Checks the credentials Secret (and the webhook Secret when referenced). `secrets` looks a Secret
 * up by name in the ZoomIntegration's namespace.
 */
export function checkCredentials(spec: ResolvedSpec, secrets: (name: string) => V1Secret | undefined): CredentialsVerdict {
  const ref = spec.credentialsSecretRef;
  const wanted: [string, string][] = [
    [ref.name, ref.clientIdKey],
    [ref.name, ref.clientSecretKey],
  ];
  if (spec.webhookSecretRef) wanted.push([spec.webhookSecretRef.name, spec.webhookSecretRef.key]);
  const hash = createHash("sha256");
  for (const [name, key] of wanted) {
    const secret = secrets(name);
    if (!secret) {
      return { ok: false, reason: Reason.SecretNotFound, message: `Secret ${name} not found in this namespace` };
    }
    const problem = keyProblem(secret, key);
    if (problem) return problem;
    hash.update(`${name}\0${key}\0${secret.data?.[key]}\0`);
  }
  return { ok: true, checksum: hash.digest("hex").slice(0, 32) };
}

/**
 * The Client ID and Secret themselves, for the one request that asks Zoom about them
 * (credentials-verdict.ts). NB: never logged, never put into status or Events.
 */
export function clientCredentials(ref: CredentialsRef, secret: V1Secret | undefined): { clientId: string; clientSecret: string } {
  const decode = (key: string) =>
    Buffer.from(secret?.data?.[key] ?? "", "base64")
      .toString("utf8")
      .trim();
  return { clientId: decode(ref.clientIdKey), clientSecret: decode(ref.clientSecretKey) };
}

// The reconcile's Zoom-app step beside the children: the manifest ConfigMap's props, Zoom's verdict on
// the credentials, and what provisioning adds to the status. Kept out of reconciler.ts to keep it short.
import type { V1Secret } from "@kubernetes/client-node";
import { redirectUrl, requiredScopes } from "../../common/api/zoom-integration.ts";
import { type KubeAccess, rawGet } from "../../common/kube/raw-client.ts";
import { manifestNames } from "../../common/tenant/manifest.ts";
import { clientCredentials } from "./credentials.ts";
import type { CredentialsVerdicts, ZoomVerdict } from "./credentials-verdict.ts";
import type { Provisioned } from "./provisioning-record.ts";
import type { ResolvedZoomIntegration } from "./credentials.ts";

export function manifestProps(zi: ResolvedZoomIntegration) {
  const name = zi.metadata.name ?? "";
  const owner = { apiVersion: zi.apiVersion, kind: zi.kind, name, uid: zi.metadata.uid ?? "" };
  return { name, namespace: zi.metadata.namespace ?? "", owner, domain: zi.spec.domain, scopes: requiredScopes(zi.spec) };
}

/** Zoom's last verdict on the Client ID and Secret (asked in the background, once per Secret content). */
export function askZoom(
  deps: { readonly verdicts?: CredentialsVerdicts | undefined },
  zi: ResolvedZoomIntegration,
  checksum: string,
  secret: V1Secret | undefined,
): ZoomVerdict | undefined {
  if (!deps.verdicts) return undefined;
  const { clientId, clientSecret } = clientCredentials(zi.spec.credentialsSecretRef, secret);
  const key = `${zi.metadata.namespace}/${zi.metadata.name}`;
  const redirectUri = redirectUrl(zi.spec.domain);
  return deps.verdicts.verdict(key, { oauthBaseUrl: zi.spec.zoom.oauthBaseUrl, redirectUri, clientId, clientSecret, checksum });
}

export function zoomAppStatus(zi: ResolvedZoomIntegration, provisioned: Provisioned | undefined, zoomVerdict: ZoomVerdict | undefined) {
  const names = manifestNames(zi.metadata.name ?? "");
  return {
    manifestConfigMapName: names.configMap,
    ...(zoomVerdict ? { zoomVerdict } : {}),
    ...(provisioned ? { provisioned: { ...provisioned, appSecretName: names.appSecret } } : {}),
  };
}

/** The whole object (the manifest ConfigMap's data is ours), or undefined when it does not exist. */
export const rawGetObject = (kc: KubeAccess, apiVersion: string, plural: string, namespace: string, name: string) =>
  rawGet(kc, apiVersion, plural, namespace, name);

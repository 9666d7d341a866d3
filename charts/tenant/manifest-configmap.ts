// The published Zoom app manifest of one tenant: a ConfigMap owned by the ZoomIntegration, named in
// status.manifestConfigMapName, readable with `kubectl get configmap` by anyone who may read
// ConfigMaps in the namespace (the built-in `view` role), no Secret access needed. Pure.
import { MANIFEST_KEY, manifestJson, manifestNames, renderManifest } from "../../common/tenant/manifest.ts";
import { tenantLabels } from "../../common/tenant/names.ts";
import type { KubeObject } from "./render.ts";

export interface ManifestConfigMapProps {
  readonly name: string;
  readonly namespace: string;
  readonly owner: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string };
  readonly domain: string;
  readonly scopes: readonly string[];
  readonly eventTypes?: readonly string[];
}

/** The next steps, next to the manifest, for whoever reads the ConfigMap instead of the README. */
const HOW_TO =
  "Zoom App Marketplace -> Develop -> Build App -> General app: create the app from manifest.json (or update an " +
  "existing app's manifest with it). Keep the app admin-managed and unpublished. Then put its Client ID and Client " +
  "Secret into the credentials Secret (keys clientId, clientSecret) and its webhook Secret Token into the Secret " +
  "named by spec.webhookSecretRef. With spec.provisioning the operator does all of this itself.\n";

export function manifestConfigMap(props: ManifestConfigMapProps): KubeObject {
  const manifest = renderManifest({
    domain: props.domain,
    scopes: props.scopes,
    ...(props.eventTypes ? { eventTypes: props.eventTypes } : {}),
  });
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: manifestNames(props.name).configMap,
      namespace: props.namespace,
      labels: tenantLabels(props.name),
      ownerReferences: [{ ...props.owner, controller: true, blockOwnerDeletion: true }],
    },
    data: { [MANIFEST_KEY]: manifestJson(manifest), "README.txt": HOW_TO },
  };
}

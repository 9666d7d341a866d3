// The sandbox tenant uses provisioning (issue 20): instead of a copied Client ID and Secret, a
// Server-to-Server app's credentials (the Zoom emulator's default one, holding the Marketplace
// scopes) let the operator create the tenant's Zoom app from its manifest. No value is copied by hand.
import type { CoreV1Api } from "@kubernetes/client-node";
import { DEFAULT_S2S_APP } from "../zoom-emulator/index.ts";

export const S2S_SECRET = "zoom-marketplace-s2s";

/** The Secret a Zoom admin would fill from the S2S app's "App Credentials" page. */
export async function createServerToServerSecret(core: CoreV1Api, namespace: string): Promise<void> {
  const { accountId, clientId, clientSecret } = DEFAULT_S2S_APP;
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: S2S_SECRET }, stringData: { accountId, clientId, clientSecret } },
  });
}

/** The spec fields that replace `credentialsSecretRef`. */
export const provisioningSpec = {
  provisioning: { serverToServerSecretRef: { name: S2S_SECRET }, contactEmail: "platform@acme.example" },
} as const;

// ZoomIntegration status: recomputed by the operator on every pass, never edited by hand.
import { z } from "zod";
import { ConnectionState } from "./constants.ts";
import { Conditions } from "./kube-schemas.ts";
import { mapListOf, setOf } from "./schema-kit.ts";

const Timestamp = (description: string) => z.iso.datetime({ offset: true }).describe(description);

const Connection = z
  .object({
    organizationId: z.string().min(1).max(253).describe("The booking app's organization that connected Zoom (the key of this list)."),
    accountId: z.string().max(253).optional().describe("The Zoom account the grant belongs to."),
    state: z
      .enum(Object.values(ConnectionState) as [ConnectionState, ...ConnectionState[]])
      .describe("Connected, ReauthorizationRequired (an admin must consent again) or MissingScopes."),
    scopes: setOf(z.string().max(128), 64).optional().describe("Scopes Zoom granted, from the token response."),
    connectedAt: Timestamp("When an admin consented.").optional(),
    lastRefreshAt: Timestamp("When the access token was last refreshed.").optional(),
  })
  .describe("One organization's Zoom connection, read from the tokens Secret's metadata (no secrets).");

export const ZoomIntegrationStatus = z
  .object({
    observedGeneration: z.int().min(0).optional().describe("The metadata.generation this status describes."),
    conditions: Conditions.optional().describe(
      "Ready, CredentialsValid, ServiceAvailable, Routed, Connected and, with provisioning, AppProvisioned (metav1.Condition, keyed by type).",
    ),
    redirectUrl: z.string().max(512).optional().describe("Enter this in the Zoom Marketplace as the app's OAuth redirect URL."),
    allowListUrl: z.string().max(512).optional().describe("Enter this in the Zoom Marketplace allow list."),
    requiredScopes: setOf(z.string().max(128), 64).optional().describe("Enable exactly these scopes on the Zoom app in the Marketplace."),
    webhookUrl: z.string().max(512).optional().describe("Enter this in the Zoom Marketplace as the event subscription's endpoint URL."),
    webhookEventTypes: setOf(z.string().max(128), 64)
      .optional()
      .describe("Subscribe the Zoom app's event subscription to exactly these event types (meeting events and app_deauthorized)."),
    manifestConfigMapName: z
      .string()
      .max(253)
      .optional()
      .describe("ConfigMap (key manifest.json) holding the Zoom app's manifest: create or update the app from it."),
    appSecretName: z
      .string()
      .max(253)
      .optional()
      .describe("With provisioning: the Secret the operator owns with the provisioned app's clientId, clientSecret and secretToken."),
    zoomAppId: z.string().max(128).optional().describe("With provisioning: the Zoom Marketplace id of the tenant's app."),
    endpoint: z.string().max(512).optional().describe("In-cluster base URL of the service's API for the booking app."),
    apiTokenSecretName: z.string().max(253).optional().describe("Secret holding the bearer token the booking app sends to the endpoint."),
    connections: mapListOf(Connection, "organizationId", 256).optional().describe("Zoom connections per organization of the booking app."),
  })
  .describe("Observed state, written by the operator.");
export type ZoomIntegrationStatus = z.output<typeof ZoomIntegrationStatus>;

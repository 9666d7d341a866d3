// The tenant's Zoom General app as Zoom's app manifest (JSON): what a platform team uploads in the
// Marketplace ("create the app from this manifest") and what provisioning sends to Zoom's Marketplace
// API. Pure: the same spec always gives the same manifest, so a change of it is a real change.
// Field names follow Zoom's manifest schema (test/zoom-emulator/README.md says which are confirmed).
import { appHost, REDIRECT_PATH, WEBHOOK_PATH } from "./names.ts";
import { ZOOM_EVENT_TYPES } from "./zoom-event-types.ts";

/** `oauth_information.usage`: how the app is managed. NB: ACCOUNT_OPERATION is assumed to mean admin-managed. */
export const ADMIN_MANAGED = "ACCOUNT_OPERATION";
/** The one event subscription of the app (Zoom allows up to 20). */
export const SUBSCRIPTION_NAME = "booking-integration";
/** Key of the manifest in the published ConfigMap. */
export const MANIFEST_KEY = "manifest.json";

export interface ManifestScope {
  readonly scope: string;
  readonly optional: boolean;
}

export interface ZoomAppManifest {
  readonly display_information: { readonly display_name: string; readonly description: string };
  readonly oauth_information: {
    readonly usage: string;
    readonly development_redirect_uri: string;
    readonly production_redirect_uri: string;
    readonly oauth_allow_list: readonly string[];
    readonly strict_mode: boolean;
    readonly subdomain_strict_mode: boolean;
    readonly scopes: readonly ManifestScope[];
    readonly scope_description: string;
  };
  readonly features: {
    readonly event_subscription: {
      readonly enable: boolean;
      readonly events: readonly {
        readonly subscription_name: string;
        readonly event_types: readonly string[];
        readonly development_webhook_url: string;
        readonly production_webhook_url: string;
      }[];
    };
  };
}

export interface ManifestInput {
  readonly domain: string;
  /** The required scopes, classic or granular names (sorted, without duplicates). */
  readonly scopes: readonly string[];
  readonly eventTypes?: readonly string[];
}

/** NB: Zoom limits an app's name to 50 characters; a long domain is cut from the left, keeping its end. */
export function displayName(domain: string): string {
  const host = appHost(domain);
  const prefix = "Booking ";
  const room = 50 - prefix.length;
  return `${prefix}${host.length <= room ? host : `…${host.slice(host.length - room + 1)}`}`;
}

export function webhookUrl(domain: string): string {
  return `https://${appHost(domain)}${WEBHOOK_PATH}`;
}

export function renderManifest({ domain, scopes, eventTypes = ZOOM_EVENT_TYPES }: ManifestInput): ZoomAppManifest {
  const origin = `https://${appHost(domain)}`;
  const redirect = `${origin}${REDIRECT_PATH}`;
  return {
    display_information: {
      display_name: displayName(domain),
      description: `Zoom meetings for the booking app at ${origin}. Managed by zoom-integration-operator; keep it unpublished.`,
    },
    oauth_information: {
      usage: ADMIN_MANAGED,
      development_redirect_uri: redirect,
      production_redirect_uri: redirect,
      oauth_allow_list: [origin],
      // NB: strict mode makes Zoom compare the redirect URI exactly, as the service sends it.
      strict_mode: true,
      subdomain_strict_mode: false,
      scopes: [...new Set(scopes)].sort().map((scope) => ({ scope, optional: false })),
      scope_description: "Create, update, cancel and read the meetings of bookings; read the account's users (hosts).",
    },
    features: {
      event_subscription: {
        enable: true,
        events: [
          {
            subscription_name: SUBSCRIPTION_NAME,
            event_types: [...eventTypes],
            development_webhook_url: webhookUrl(domain),
            production_webhook_url: webhookUrl(domain),
          },
        ],
      },
    },
  };
}

/** The ConfigMap's text: stable key order and indentation, so kubectl output diffs cleanly. */
export function manifestJson(manifest: ZoomAppManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Provisioning's handle on the app it created: Zoom's app_name, derived from the ZoomIntegration's uid,
 * so a restarted operator finds the app it made before it could record the id (display names change with the domain).
 */
export function appIdentity(uid: string): string {
  return `zio-${uid}`;
}

/** The ConfigMap holding the manifest, and the Secret holding a provisioned app's credentials. */
export function manifestNames(name: string): { readonly configMap: string; readonly appSecret: string } {
  return { configMap: `${name}-zoom-manifest`, appSecret: `${name}-zoom-app` };
}

/** Keys of the provisioned app's Secret (the defaults of credentialsSecretRef and webhookSecretRef). */
export const APP_SECRET_KEYS = { clientId: "clientId", clientSecret: "clientSecret", secretToken: "secretToken" } as const;

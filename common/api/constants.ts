// The ZoomIntegration API's names, written once. The CRD, the operator, the charts and the tests
// import them from here; nothing else spells "bookingops.dev" by hand.

export const GROUP = "bookingops.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "ZoomIntegration";
export const LIST_KIND = "ZoomIntegrationList";
export const PLURAL = "zoomintegrations";
export const SINGULAR = "zoomintegration";
export const SHORT_NAMES = ["zi", "zoomint"] as const;
/** `kubectl get bookingops` lists every kind of this product. */
export const CATEGORIES = ["bookingops"] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Held while the Zoom grant still has to be revoked or released (see spec.deletionPolicy). */
export const FINALIZER = `${GROUP}/zoom-grant`;
/**
 * On a ZoomIntegration: any new value rotates the booking app's API token (GitOps can drive it, e.g.
 * with a date). The old token keeps working for API_TOKEN_OVERLAP_SECONDS; the state key is untouched.
 */
export const ROTATE_API_TOKEN_ANNOTATION = `${GROUP}/rotate-api-token`;
/** How long the replaced token stays valid after a rotation: 24 h, time for every client to re-read the Secret. */
export const API_TOKEN_OVERLAP_SECONDS = 24 * 60 * 60;
/**
 * On a ZoomIntegration: any new value rotates the service's state key (which seals connect links and
 * the OAuth state), independently of the API token. Values sealed with the old key still open for
 * STATE_KEY_OVERLAP_SECONDS, so consent flows in progress survive.
 */
export const ROTATE_STATE_KEY_ANNOTATION = `${GROUP}/rotate-state-key`;
/**
 * How long the replaced state key still opens sealed values: 30 min. NB: a sealed value lives 10 min
 * at most (service/oauth/flow-state.ts FLOW_TTL_MS); the rest covers the time kubelet takes to update
 * the mounted files (pods keep sealing with the old key until then) and clock skew.
 */
export const STATE_KEY_OVERLAP_SECONDS = 30 * 60;

/** The one server-side-apply field manager for everything the operator writes. */
export const FIELD_MANAGER = "zoom-integration-operator";

export const ConditionType = {
  /** The platform side is done: credentials, service and routing. Does not wait for a human's consent. */
  Ready: "Ready",
  /**
   * The credentials Secret exists, holds non-empty client id and secret keys, and Zoom did not reject
   * them (checked once per Secret content with a token request that cannot succeed: no side effects).
   */
  CredentialsValid: "CredentialsValid",
  /** The tenant's service Deployment has the minimum number of available replicas. */
  ServiceAvailable: "ServiceAvailable",
  /**
   * A controller routes app.<domain>'s public OAuth paths to the service: an ingress controller
   * published an address for the Ingress, or every parent Gateway accepted the HTTPRoute (Accepted
   * and ResolvedRefs True). The object existing is not enough.
   */
  Routed: "Routed",
  /** A Zoom account admin has consented and every grant still works (no reauthorization needed). */
  Connected: "Connected",
  /** With spec.provisioning: the tenant's Zoom app exists and its manifest matches the rendered one. */
  AppProvisioned: "AppProvisioned",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** Condition reasons (metav1.Condition `reason`): PascalCase, stable, safe as metric labels. */
export const Reason = {
  // Ready
  Reconciled: "Reconciled",
  SpecInvalid: "SpecInvalid",
  ReconcileFailed: "ReconcileFailed",
  Deleting: "Deleting",
  RevokeFailed: "RevokeFailed",
  /** Ready and Routed: an older ZoomIntegration holds the same domain (the message names it); no route. */
  DomainConflict: "DomainConflict",
  // CredentialsValid
  CredentialsFound: "CredentialsFound",
  SecretNotFound: "SecretNotFound",
  SecretKeyMissing: "SecretKeyMissing",
  SecretKeyEmpty: "SecretKeyEmpty",
  /** Zoom answered invalid_client: the Client ID or Secret is wrong (or the app was deleted or disabled). */
  ZoomRejectedCredentials: "ZoomRejectedCredentials",
  /** Zoom accepted the Client ID and Secret (a token request with a deliberately invalid code failed on the code only). */
  ZoomAcceptedCredentials: "ZoomAcceptedCredentials",
  // AppProvisioned
  AppInSync: "AppInSync",
  /** Waiting for the operator's own credentials Secret of a provisioned app. */
  AppPending: "AppPending",
  /** The Server-to-Server app lacks marketplace:write:app or marketplace:read:app. */
  MarketplaceScopesMissing: "MarketplaceScopesMissing",
  /** Zoom refused the Server-to-Server app's credentials (wrong, deactivated or deleted app). */
  ServerToServerRejected: "ServerToServerRejected",
  /** Zoom's Marketplace API failed or refused the request (the message says what Zoom answered). */
  MarketplaceFailed: "MarketplaceFailed",
  // ServiceAvailable
  DeploymentAvailable: "DeploymentAvailable",
  DeploymentProgressing: "DeploymentProgressing",
  DeploymentUnavailable: "DeploymentUnavailable",
  // Routed
  /** An ingress controller published an address in the Ingress's status.loadBalancer. */
  IngressAdmitted: "IngressAdmitted",
  /** The Ingress is missing or no ingress controller admitted it yet. */
  IngressPending: "IngressPending",
  /** Every parent Gateway accepted the HTTPRoute and resolved its backend. */
  RouteAccepted: "RouteAccepted",
  /** The HTTPRoute is missing or a parent Gateway has not reported on it yet. */
  RoutePending: "RoutePending",
  /** A parent refused the route with a reason that is not a condition reason (a parent's own PascalCase reason is copied instead). */
  RouteNotAccepted: "RouteNotAccepted",
  /** routing.gateway, but the cluster does not serve the Gateway API (its CRDs are not installed). */
  GatewayAPIUnavailable: "GatewayAPIUnavailable",
  // Connected
  GrantActive: "GrantActive",
  AwaitingAuthorization: "AwaitingAuthorization",
  ReauthorizationRequired: "ReauthorizationRequired",
  MissingScopes: "MissingScopes",
  // Events only
  /** A new value of the rotate-api-token annotation gave the booking app a new API token. */
  ApiTokenRotated: "ApiTokenRotated",
  /** A new value of the rotate-state-key annotation gave the service a new state key. */
  StateKeyRotated: "StateKeyRotated",
  /** Provisioning created the tenant's Zoom app (the message names its id). */
  ZoomAppCreated: "ZoomAppCreated",
  /** Provisioning replaced the Zoom app's manifest (domain, scopes or event types changed). */
  ZoomAppUpdated: "ZoomAppUpdated",
  /** Provisioning deleted the Zoom app on deletion (deletionPolicy Revoke), or an orphan left by an interrupted create. */
  ZoomAppDeleted: "ZoomAppDeleted",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** What happens to the Zoom grant when the ZoomIntegration is deleted. */
export const DeletionPolicy = { Revoke: "Revoke", Retain: "Retain" } as const;
export type DeletionPolicy = (typeof DeletionPolicy)[keyof typeof DeletionPolicy];

/** State of one organization's Zoom connection, as reported in status.connections. */
export const ConnectionState = {
  Connected: "Connected",
  ReauthorizationRequired: "ReauthorizationRequired",
  MissingScopes: "MissingScopes",
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

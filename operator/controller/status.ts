// Pure: the ZoomIntegration's status from what was observed in this pass. Status is recomputed,
// never carried over, except each condition's lastTransitionTime while its status is unchanged.
import type { V1Deployment, V1Secret } from "@kubernetes/client-node";
import { ConditionStatus, ConditionType, Reason } from "../../common/api/constants.ts";
import type { Condition } from "../../common/api/kube-schemas.ts";
import { canonicalJson } from "../../common/canonical-json.ts";
import {
  allowListUrl,
  redirectUrl,
  requiredScopes,
  webhookEventTypes,
  webhookUrl,
  type ZoomIntegration,
  type ZoomIntegrationStatus,
} from "../../common/api/zoom-integration.ts";
import { readConnections } from "../../common/tenant/token-secret.ts";
import type { CredentialsVerdict, ResolvedSpec } from "./credentials.ts";
import type { ZoomVerdict } from "./credentials-verdict.ts";
import type { Provisioned } from "./provisioning-record.ts";
import { type RouteObservation, routed } from "./routed.ts";

export interface Observed {
  readonly zi: ZoomIntegration & { readonly spec: ResolvedSpec };
  readonly credentials: CredentialsVerdict;
  readonly deployment: V1Deployment | undefined;
  /** The route's live state; ignored while another claim holds the domain. */
  readonly route: RouteObservation;
  readonly tokens: V1Secret | undefined;
  /** `namespace/name` of the older claim on the same domain: this one then has no route. */
  readonly domainHolder?: string;
  /** Set when applying the children failed in this pass. */
  readonly applyError?: string;
  readonly endpoint: string;
  readonly apiTokenSecretName: string;
  /** The ConfigMap with the Zoom app's manifest. */
  readonly manifestConfigMapName?: string;
  /** Zoom's verdict on the credentials; absent or unknown: not asked yet, or Zoom unreachable. */
  readonly zoomVerdict?: ZoomVerdict;
  /** With spec.provisioning: the AppProvisioned verdict and where the app's credentials are. */
  readonly provisioned?: Provisioned & { readonly appSecretName: string };
}

type Verdict = Pick<Condition, "status" | "reason" | "message">;
const yes = (reason: string, message: string): Verdict => ({ status: ConditionStatus.True, reason, message });
const no = (reason: string, message: string): Verdict => ({ status: ConditionStatus.False, reason, message });

function serviceAvailable(d: V1Deployment | undefined): Verdict {
  if (!d) return no(Reason.DeploymentUnavailable, "the service Deployment does not exist yet");
  const available = d.status?.conditions?.find((c) => c.type === "Available");
  const ready = `${d.status?.availableReplicas ?? 0}/${d.spec?.replicas ?? 0} replicas available`;
  if (available?.status === "True" && (d.status?.availableReplicas ?? 0) > 0) return yes(Reason.DeploymentAvailable, ready);
  const progressing = d.status?.conditions?.find((c) => c.type === "Progressing")?.status !== "False";
  return no(progressing ? Reason.DeploymentProgressing : Reason.DeploymentUnavailable, ready);
}

const domainConflict = (domain: string, holder: string) =>
  no(
    Reason.DomainConflict,
    `the domain ${domain} is held by ZoomIntegration ${holder}, an older claim; this one gets no route until it goes`,
  );

function connected(tokens: V1Secret | undefined): Verdict {
  const { connections } = readConnections(tokens?.metadata?.annotations);
  const reauth = connections.filter((c) => c.state === "ReauthorizationRequired");
  const missing = connections.filter((c) => c.state === "MissingScopes");
  if (reauth.length > 0) {
    return no(Reason.ReauthorizationRequired, `a Zoom admin must connect again for: ${reauth.map((c) => c.organizationId).join(", ")}`);
  }
  if (missing.length > 0) {
    const detail = missing.map((c) => `${c.organizationId} lacks ${(c.missingScopes ?? []).join(" ")}`).join("; ");
    return no(Reason.MissingScopes, `the Zoom app did not grant every required scope: ${detail}`);
  }
  if (connections.length === 0) return no(Reason.AwaitingAuthorization, "no Zoom admin has connected yet");
  return yes(Reason.GrantActive, `${connections.length} organization(s) connected`);
}

function ready(o: Observed, parts: Record<string, Verdict>): Verdict {
  if (o.domainHolder) return domainConflict(o.zi.spec.domain, o.domainHolder);
  if (o.provisioned && o.provisioned.verdict.status !== ConditionStatus.True)
    return no(o.provisioned.verdict.reason, o.provisioned.verdict.message);
  const credentials = parts[ConditionType.CredentialsValid]!;
  if (credentials.status !== ConditionStatus.True) return no(credentials.reason, credentials.message);
  if (o.applyError) return no(Reason.ReconcileFailed, o.applyError);
  for (const type of [ConditionType.ServiceAvailable, ConditionType.Routed]) {
    const v = parts[type]!;
    if (v.status !== ConditionStatus.True) return no(v.reason, `${type}: ${v.message}`);
  }
  return yes(Reason.Reconciled, "the service is running and routed; connect Zoom from the booking app");
}

/** Keeps lastTransitionTime when a condition's status did not change. */
export function withTransitionTimes(
  verdicts: Record<string, Verdict>,
  previous: readonly Condition[] | undefined,
  generation: number,
  now: Date,
): Condition[] {
  return Object.entries(verdicts).map(([type, v]) => {
    const before = previous?.find((c) => c.type === type);
    const lastTransitionTime = before && before.status === v.status ? before.lastTransitionTime : now.toISOString();
    return { type, ...v, observedGeneration: generation, lastTransitionTime };
  });
}

/** Found in the Secret, then Zoom's own verdict when it has given one. */
function credentialsValid(o: Observed): Verdict {
  const secret = o.zi.spec.credentialsSecretRef.name;
  if (!o.credentials.ok) {
    if (o.provisioned && o.credentials.reason === Reason.SecretNotFound) {
      return no(Reason.AppPending, `waiting for provisioning to store the Zoom app's credentials in Secret ${secret}`);
    }
    return no(o.credentials.reason, o.credentials.message);
  }
  if (o.zoomVerdict?.state === "rejected") {
    return no(
      Reason.ZoomRejectedCredentials,
      `Zoom rejected the Client ID and Client Secret in Secret ${secret} (${o.zoomVerdict.detail}): copy them again from the Zoom app`,
    );
  }
  if (o.zoomVerdict?.state === "accepted")
    return yes(Reason.ZoomAcceptedCredentials, `Zoom accepted the Client ID and Client Secret in Secret ${secret}`);
  const last = lastZoomVerdict(o);
  return last ?? yes(Reason.CredentialsFound, `Secret ${secret} holds the client id and secret`);
}

/**
 * Zoom's verdict as the status last gave it, while no new one is known and nothing says the
 * credentials changed since (the process restarted, or Zoom cannot be reached): a restart must not
 * turn ZoomAcceptedCredentials into CredentialsFound and back, two writes and two Events per tenant.
 */
function lastZoomVerdict(o: Observed): Verdict | undefined {
  if (o.zoomVerdict?.state !== "unknown" || o.zoomVerdict.credentialsChanged) return undefined;
  const before = o.zi.status?.conditions?.find((c) => c.type === ConditionType.CredentialsValid);
  const zoomSaid = before?.reason === Reason.ZoomAcceptedCredentials || before?.reason === Reason.ZoomRejectedCredentials;
  return before && zoomSaid ? { status: before.status, reason: before.reason, message: before.message } : undefined;
}

export function computeStatus(o: Observed, now: Date): ZoomIntegrationStatus {
  const { spec, metadata } = o.zi;
  const parts: Record<string, Verdict> = {
    [ConditionType.CredentialsValid]: credentialsValid(o),
    [ConditionType.ServiceAvailable]: serviceAvailable(o.deployment),
    [ConditionType.Routed]: o.domainHolder ? domainConflict(spec.domain, o.domainHolder) : routed(o.route, spec.domain),
    [ConditionType.Connected]: connected(o.tokens),
    ...(o.provisioned ? { [ConditionType.AppProvisioned]: o.provisioned.verdict } : {}),
  };
  const verdicts = { [ConditionType.Ready]: ready(o, parts), ...parts };
  const generation = metadata.generation ?? 0;
  const connections = readConnections(o.tokens?.metadata?.annotations).connections.map(
    ({ organizationId, accountId, state, scopes, connectedAt, lastRefreshAt }) => ({
      organizationId,
      accountId,
      state,
      scopes,
      connectedAt,
      lastRefreshAt,
    }),
  );
  return {
    observedGeneration: generation,
    conditions: withTransitionTimes(verdicts, o.zi.status?.conditions, generation, now),
    redirectUrl: redirectUrl(spec.domain),
    allowListUrl: allowListUrl(spec.domain),
    requiredScopes: requiredScopes(spec),
    webhookUrl: webhookUrl(spec.domain),
    webhookEventTypes: webhookEventTypes(),
    ...(o.manifestConfigMapName ? { manifestConfigMapName: o.manifestConfigMapName } : {}),
    ...(o.provisioned ? { appSecretName: o.provisioned.appSecretName } : {}),
    ...(o.provisioned?.appId ? { zoomAppId: o.provisioned.appId } : {}),
    endpoint: o.endpoint,
    apiTokenSecretName: o.apiTokenSecretName,
    connections,
  };
}

/** Status for a spec the API server accepted but deeper checks refuse: Ready=False, no retry. */
export function invalidSpecStatus(
  previous: ZoomIntegrationStatus | undefined,
  generation: number,
  errors: readonly string[],
  now: Date,
): ZoomIntegrationStatus {
  const verdicts = { [ConditionType.Ready]: no(Reason.SpecInvalid, errors.join("; ").slice(0, 4000)) };
  return { ...previous, observedGeneration: generation, conditions: withTransitionTimes(verdicts, previous?.conditions, generation, now) };
}

export interface Transition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly warning: boolean;
}

const BENIGN_FALSE = new Set<string>([
  Reason.AwaitingAuthorization,
  Reason.DeploymentProgressing,
  Reason.IngressPending,
  Reason.RoutePending,
]);

/**
 * Conditions whose status or reason changed that are worth an Event: every change of Ready and of
 * Connected (a Zoom admin's consent, a grant lost), a warning, and the recovery from one. A
 * condition's first value is an Event only when it is a warning. Progress (pods progressing then
 * available, a route pending then admitted, credentials found then accepted by Zoom) is in the
 * status only: at a thousand tenants those Events were three writes per new tenant on an API server
 * that is the bottleneck, and Ready's own Event says it.
 */
const EVERY_CHANGE: ReadonlySet<string> = new Set([ConditionType.Ready, ConditionType.Connected]);

export function transitions(before: readonly Condition[] | undefined, after: readonly Condition[]): Transition[] {
  const isWarning = (c: Pick<Condition, "status" | "reason">) => c.status === ConditionStatus.False && !BENIGN_FALSE.has(c.reason);
  return after
    .map((c) => ({ ...c, warning: isWarning(c) }))
    .filter((c) => {
      const b = before?.find((x) => x.type === c.type);
      if (!b) return c.warning;
      const changed = b.status !== c.status || b.reason !== c.reason;
      return changed && (EVERY_CHANGE.has(c.type) || c.warning || isWarning(b));
    });
}

/** Equal apart from key order: the status write is skipped when nothing changed. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

// The service's pod template as pure functions over resolved props. Written against the raw k8s
// types rather than cdk8s-plus's Deployment: plus would need six overrides of its defaults (resource
// limits, pull policy, replicas, selector label, token automount, security context) and cannot
// express topologySpreadConstraints, and every override is a place where an upgrade can drift.
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT } from "../common/pod-security.ts";
import { k8s } from "cdk8s-plus-27";
import { spreadOverNodes } from "../common/scheduling.ts";
import { CONTAINER_ARGS, CONTAINER_NAME, Env, FileName, MountPath, ProbePath, SECRET_FILE_MODE } from "../../common/tenant/contract.ts";
import {
  API_PORT,
  API_PORT_NAME,
  METRICS_PORT,
  METRICS_PORT_NAME,
  CREDENTIALS_CHECKSUM_ANNOTATION,
  PUBLIC_PORT,
  PUBLIC_PORT_NAME,
  selectorLabels,
  type TenantNames,
  tenantLabels,
} from "../../common/tenant/names.ts";
import type { ResolvedTenantProps } from "./props.ts";

/**
 * Seconds the kubelet waits before SIGTERM: endpoints, kube-proxy and ingress controllers drop the
 * terminating pod meanwhile, so no new request is routed to a process that is about to close.
 */
export const PRE_STOP_SLEEP_SECONDS = 5;
/** The service's own grace for in-flight requests after SIGTERM (SHUTDOWN_GRACE_SECONDS' default). */
const SHUTDOWN_GRACE_SECONDS = 20;
/** preStop sleep + in-flight grace + a margin for the exit itself, before the kubelet's SIGKILL. */
export const TERMINATION_GRACE_SECONDS = PRE_STOP_SLEEP_SECONDS + SHUTDOWN_GRACE_SECONDS + 5;
/**
 * The V8 heap as a share of the memory limit (Node reads the cgroup), and a 1 MiB young generation:
 * the default (16 MiB semi-spaces) alone adds ~30 MiB RSS to a service that allocates little.
 */
export const SERVICE_NODE_OPTIONS = "--max-old-space-size-percentage=40 --max-semi-space-size=1";

/**
 * The tenant's Deployment, with the preStop hook added to its rendered JSON. NB: the image has no
 * shell, so the hook is the kubelet's own `sleep` action (GA in Kubernetes 1.34); cdk8s-plus-27's
 * types do not know it, and its serialiser drops it even from a JSON patch, so it is added after.
 */
type RenderedDeployment = { spec?: { template?: { spec?: { containers?: { name: string; lifecycle?: unknown }[] } } } };

export class ServiceDeployment extends k8s.KubeDeployment {
  override toJson(): RenderedDeployment {
    const json = super.toJson() as RenderedDeployment;
    for (const container of json.spec?.template?.spec?.containers ?? []) {
      if (container.name === CONTAINER_NAME) container.lifecycle = { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } };
    }
    return json;
  }
}

const Volume = { Tmp: "tmp", Credentials: "credentials", ApiToken: "api-token", Webhook: "webhook-secret" } as const;

export function podTemplate(props: ResolvedTenantProps, names: TenantNames): k8s.PodTemplateSpec {
  return {
    metadata: {
      labels: { ...props.podLabels, ...tenantLabels(props.name) },
      annotations: { [CREDENTIALS_CHECKSUM_ANNOTATION]: props.credentialsChecksum },
    },
    spec: {
      serviceAccountName: names.serviceAccount,
      // NB: the ServiceAccount itself disables automounting; only these pods get a token.
      automountServiceAccountToken: true,
      // NB: service links would add <NAME>_ZOOM_* variables next to the contract's ZOOM_* ones.
      enableServiceLinks: false,
      securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      topologySpreadConstraints: spreadOverNodes(selectorLabels(props.name)),
      containers: [serviceContainer(props, names)],
      volumes: podVolumes(props, names),
    },
  };
}

function serviceContainer(props: ResolvedTenantProps, names: TenantNames): k8s.Container {
  const apiPort = k8s.IntOrString.fromString(API_PORT_NAME);
  return {
    name: CONTAINER_NAME,
    image: props.image,
    imagePullPolicy: props.imagePullPolicy,
    args: [...CONTAINER_ARGS],
    // NB: protocol is spelled out: server-side apply keys container ports by (containerPort, protocol).
    ports: [
      { name: PUBLIC_PORT_NAME, containerPort: PUBLIC_PORT, protocol: "TCP" },
      { name: API_PORT_NAME, containerPort: API_PORT, protocol: "TCP" },
      { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: "TCP" },
    ],
    env: containerEnv(props, names),
    resources: {
      requests: quantities(props.resources.requests),
      limits: quantities(props.resources.limits),
    },
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    readinessProbe: { httpGet: { path: ProbePath.Readiness, port: apiPort }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: ProbePath.Liveness, port: apiPort }, periodSeconds: 10, failureThreshold: 3 },
    volumeMounts: volumeMounts(props),
  };
}

/** The env half of the service contract (see README.md); order is part of the rendered output. */
export function containerEnv(props: ResolvedTenantProps, names: TenantNames): k8s.EnvVar[] {
  const fromField = (fieldPath: string): k8s.EnvVarSource => ({ fieldRef: { apiVersion: "v1", fieldPath } });
  const env: k8s.EnvVar[] = [
    { name: Env.IntegrationName, value: props.name },
    { name: Env.PodNamespace, valueFrom: fromField("metadata.namespace") },
    { name: Env.PodName, valueFrom: fromField("metadata.name") },
    { name: Env.Domain, value: props.domain },
    { name: Env.AfterConnectPath, value: props.afterConnectPath },
    { name: Env.RequiredScopes, value: props.scopes.join(" ") },
    { name: Env.OauthBaseUrl, value: props.zoom.oauthBaseUrl },
    { name: Env.ApiBaseUrl, value: props.zoom.apiBaseUrl },
    { name: Env.TokensSecret, value: names.tokensSecret },
    { name: Env.StateConfigMap, value: names.stateConfigMap },
    { name: Env.PublicPort, value: String(PUBLIC_PORT) },
    { name: Env.ApiPort, value: String(API_PORT) },
    { name: Env.MetricsPort, value: String(METRICS_PORT) },
    { name: Env.CredentialsDir, value: MountPath.Credentials },
    { name: Env.ApiTokenDir, value: MountPath.ApiToken },
    { name: "NODE_OPTIONS", value: SERVICE_NODE_OPTIONS },
  ];
  if (props.webhookSecret) {
    env.push({ name: Env.WebhookSecretFile, value: `${MountPath.Webhook}/${FileName.WebhookSecretToken}` });
  }
  return env;
}

function podVolumes(props: ResolvedTenantProps, names: TenantNames): k8s.Volume[] {
  const { credentialsSecret: creds, webhookSecret: webhook } = props;
  const volumes: k8s.Volume[] = [
    { name: Volume.Tmp, emptyDir: {} },
    secretVolume(Volume.Credentials, creds.name, [
      [creds.clientIdKey, FileName.ClientId],
      [creds.clientSecretKey, FileName.ClientSecret],
    ]),
    secretVolume(Volume.ApiToken, names.apiTokenSecret, [
      [FileName.ApiToken, FileName.ApiToken],
      [FileName.StateKey, FileName.StateKey],
      [FileName.PreviousApiToken, FileName.PreviousApiToken],
      [FileName.PreviousApiTokenExpiresAt, FileName.PreviousApiTokenExpiresAt],
      [FileName.PreviousStateKey, FileName.PreviousStateKey],
      [FileName.PreviousStateKeyExpiresAt, FileName.PreviousStateKeyExpiresAt],
    ]),
  ];
  if (webhook) volumes.push(secretVolume(Volume.Webhook, webhook.name, [[webhook.key, FileName.WebhookSecretToken]]));
  return volumes;
}

/** A read-only Secret volume exposing only the listed keys, under fixed file names. */
function secretVolume(name: string, secretName: string, items: readonly (readonly [string, string])[]): k8s.Volume {
  return {
    name,
    secret: {
      secretName,
      items: items.map(([key, path]) => ({ key, path })),
      defaultMode: SECRET_FILE_MODE,
    },
  };
}

function volumeMounts(props: ResolvedTenantProps): k8s.VolumeMount[] {
  const mounts: k8s.VolumeMount[] = [
    { name: Volume.Tmp, mountPath: MountPath.Tmp },
    { name: Volume.Credentials, mountPath: MountPath.Credentials, readOnly: true },
    { name: Volume.ApiToken, mountPath: MountPath.ApiToken, readOnly: true },
  ];
  if (props.webhookSecret) mounts.push({ name: Volume.Webhook, mountPath: MountPath.Webhook, readOnly: true });
  return mounts;
}

function quantities(values: { readonly cpu?: string; readonly memory?: string }): Record<string, k8s.Quantity> {
  return Object.fromEntries(
    Object.entries(values)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([resource, value]) => [resource, k8s.Quantity.fromString(value)]),
  );
}

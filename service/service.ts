// Builds the service's object graph from its dependencies (no listening, no process state), so
// main.ts and the tests assemble the very same thing.
import type { Router } from "express";
import type { Dispatcher } from "undici";
import type { KubeAccess } from "../common/kube/raw-client.ts";
import type { Logger } from "../common/logger.ts";
import type { ServiceConfig } from "./config.ts";
import { createConnectionRouter } from "./connections/connection-routes.ts";
import { createConnections } from "./connections/connections.ts";
import { createApiApp, createPublicApp } from "./http/apps.ts";
import { createEventRecorder } from "./kube/event-recorder.ts";
import { createMetrics, type ServiceMetrics } from "./metrics.ts";
import { createEventService } from "./events/event-service.ts";
import { createEventsRouter } from "./events/events-routes.ts";
import { createConnectFlow } from "./oauth/connect-flow.ts";
import { createInternalOAuthRouter, createPublicOAuthRouter } from "./oauth/oauth-routes.ts";
import type { MountedSecrets } from "./runtime/mounted-secrets.ts";
import { createTokenManager, type TokenManager } from "./tokens/token-manager.ts";
import { createTokenSecretStore } from "./tokens/token-secret-store.ts";
import { createWebhookRouter } from "./webhooks/webhook-routes.ts";
import { createZoomOAuthClient } from "./zoom/zoom-oauth-client.ts";

export interface ServiceDeps {
  readonly config: ServiceConfig;
  /** common/kube/kube-access.ts in the process; tests may pass client-node's KubeConfig. */
  readonly kc: KubeAccess;
  readonly secrets: MountedSecrets;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: (n: number) => Buffer;
  readonly dispatcher?: Dispatcher;
  readonly metrics?: ServiceMetrics;
  /**
   * More routers for the internal API (the meetings and users API), mounted behind the bearer token;
   * `metrics` is for their stores (e.g. the idempotency store's shard fill).
   */
  readonly apiRouters?: (tokens: TokenManager, metrics: ServiceMetrics) => readonly Router[];
}

export function buildService(deps: ServiceDeps) {
  const { config, secrets, log } = deps;
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? createMetrics();
  const store = createTokenSecretStore({ kc: deps.kc, namespace: config.namespace, name: config.tokensSecret, now });
  const events = createEventRecorder({
    kc: deps.kc,
    namespace: config.namespace,
    integrationName: config.integrationName,
    podName: config.podName,
    now,
    log,
  });
  const outbound = createEventService({
    kc: deps.kc,
    namespace: config.namespace,
    integrationName: config.integrationName,
    stateConfigMap: config.stateConfigMap,
    tokensSecret: config.tokensSecret,
    podName: config.podName,
    now,
    random: deps.random,
    metrics,
    log,
    dispatcher: deps.dispatcher,
    delivery: config.events,
  });
  const onConnectionChange = outbound.recordConnectionChange;
  const zoom = createZoomOAuthClient({ ...config, secrets, dispatcher: deps.dispatcher });
  const tokens = createTokenManager({
    store,
    zoom,
    events,
    metrics,
    log,
    now,
    holder: config.podName,
    random: deps.random,
    refreshDeadlineMs: config.refreshDeadlineMs,
    lockMarginMs: config.refreshLockMarginMs,
    onConnectionChange,
  });
  const connections = createConnections({ store, tokens, zoom, events, log });
  const flow = createConnectFlow({
    ...config,
    secrets,
    zoom,
    store,
    tokens,
    events,
    metrics,
    log,
    now,
    random: deps.random,
    onConnectionChange,
  });

  let kubeReadyUntil = 0;
  let draining = false;
  async function ready(): Promise<boolean> {
    if (draining || !secrets.loaded()) return false;
    if (now() < kubeReadyUntil) return true;
    try {
      await store.read();
      kubeReadyUntil = now() + 5000; // NB: probes every 5 s per replica: cache one successful read that long
      return true;
    } catch {
      return false;
    }
  }

  const publicApp = createPublicApp({
    log,
    metrics,
    routers: [
      createPublicOAuthRouter({
        flow,
        secureCookie: config.publicOrigin.startsWith("https:"),
        appUrl: `${config.publicOrigin}${config.afterConnectPath}`,
      }),
      createWebhookRouter({
        secrets,
        deauthorize: (accountId) => connections.deauthorize(accountId),
        organizationsOf: outbound.endpoints.organizationsOf,
        events: outbound,
        metrics,
        log,
        now,
      }),
    ],
  });
  const apiApp = createApiApp({
    log,
    metrics,
    apiToken: () => ({ token: secrets.current().apiToken, previous: secrets.current().previousApiToken }),
    healthy: () => true,
    ready,
    routers: [
      createInternalOAuthRouter({ flow }),
      createConnectionRouter(connections),
      createEventsRouter(outbound, now),
      ...(deps.apiRouters?.(tokens, metrics) ?? []),
    ],
  });
  /** SIGTERM: answer not-ready from now on, so balancers that follow readiness stop sending. */
  const drain = () => {
    draining = true;
  };
  /** The event delivery loop: started by main.ts (or a test), stopped before exit. */
  const delivery = outbound.delivery;
  return { publicApp, apiApp, tokens, connections, flow, metrics, store, drain, events: outbound, delivery };
}

export type Service = ReturnType<typeof buildService>;

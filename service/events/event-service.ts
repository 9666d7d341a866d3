// The outbound events of one tenant, assembled: the log (shard ConfigMaps), the endpoints (tokens
// Secret), the delivery loop, and what producers call to record an event. Recording resolves only
// once the event is on the Kubernetes API: the Zoom webhook answers after it, never before.
import { randomBytes } from "node:crypto";
import type { KubeAccess } from "../../common/kube/raw-client.ts";
import type { Dispatcher } from "undici";
import type { Logger } from "../../common/logger.ts";
import { retry } from "../../common/retry.ts";
import type { StoredGrant } from "../../common/tenant/token-secret.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { createDelivery } from "./delivery.ts";
import { createEndpointStore } from "./endpoint-store.ts";
import { createEventLog } from "./event-log.ts";
import type { NewEvent, OutboundEventType } from "./event-types.ts";
import { appendEvents, purgeEvents } from "./org-log.ts";
import { createShardStore } from "./shard-store.ts";
import { deauthorizedEvent, meetingEvents, type ZoomDeauthorization, type ZoomMeetingEvent } from "./zoom-events.ts";

export interface EventServiceProps {
  readonly kc: KubeAccess;
  readonly namespace: string;
  readonly integrationName: string;
  readonly stateConfigMap: string;
  readonly tokensSecret: string;
  readonly podName: string;
  readonly now: () => number;
  readonly random?: (n: number) => Buffer;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly dispatcher?: Dispatcher;
  readonly delivery: { readonly lockTtlMs: number; readonly pollMs: number; readonly timeoutMs: number; readonly maxBackoffMs: number };
}

const CONNECTION_TYPE: Readonly<Record<StoredGrant["state"], OutboundEventType>> = {
  Connected: "connection.connected",
  MissingScopes: "connection.scopes_missing",
  ReauthorizationRequired: "connection.reauthorization_required",
};

export function createEventService(p: EventServiceProps) {
  const random = p.random ?? randomBytes;
  const shards = createShardStore({ kc: p.kc, namespace: p.namespace, stateConfigMap: p.stateConfigMap });
  const log = createEventLog({ shards, now: p.now, onExpired: (n) => p.metrics.eventsExpired.inc(n) });
  const endpoints = createEndpointStore({ kc: p.kc, namespace: p.namespace, tokensSecret: p.tokensSecret, now: p.now, random });
  const source = `/zoom-integrations/${p.namespace}/${p.integrationName}`;
  const delivery = createDelivery({
    shards,
    events: log,
    endpoints,
    source,
    holder: p.podName,
    now: p.now,
    random,
    metrics: p.metrics,
    log: p.log,
    dispatcher: p.dispatcher,
    lockTtlMs: p.delivery.lockTtlMs,
    pollMs: p.delivery.pollMs,
    timeoutMs: p.delivery.timeoutMs,
    backoff: { baseMs: 1000, maxMs: p.delivery.maxBackoffMs },
  });

  async function record(organizationId: string, events: readonly NewEvent[]): Promise<void> {
    await log.append(organizationId, events);
    for (const e of events) p.metrics.eventsRecorded.inc({ type: e.type });
    delivery.wake(organizationId);
  }

  return {
    log,
    endpoints,
    delivery,
    source,
    /** A Zoom meeting event, for every organization connected to its account. */
    async recordMeetingEvent(e: ZoomMeetingEvent, organizations: readonly string[]): Promise<boolean> {
      const events = meetingEvents(e, organizations);
      if (!events) return false;
      await Promise.all(organizations.map((org, i) => record(org, [events[i]!])));
      return true;
    },
    /**
     * Deauthorization: each organization's retained events go (they hold the account's Zoom data:
     * topics, host ids, meeting ids), then the deauthorized event is its only one.
     */
    async recordDeauthorization(e: ZoomDeauthorization, organizations: readonly string[]): Promise<void> {
      await Promise.all(
        organizations.map((org) =>
          log.change(org, (current) => {
            const event = deauthorizedEvent(e, org, p.now());
            if (current.events.some((x) => x.id === event.id)) return { log: current, result: undefined };
            return { log: appendEvents(purgeEvents(current), [event], p.now()), result: undefined };
          }),
        ),
      );
      p.metrics.eventsRecorded.inc({ type: "connection.deauthorized" }, organizations.length);
      for (const org of organizations) delivery.wake(org);
    },
    /** A connection changed state (connected, missing scopes, reauthorization required). Never throws: logged. */
    async recordConnectionChange(grant: StoredGrant): Promise<void> {
      const { organizationId, accountId, state, missingScopes, reason } = grant;
      const event: NewEvent = {
        id: `evt_${random(18).toString("base64url")}`,
        type: CONNECTION_TYPE[state],
        time: new Date(p.now()).toISOString(),
        subject: "connection",
        data: { organizationId, accountId, state, ...(missingScopes ? { missingScopes } : {}), ...(reason ? { reason } : {}) },
      };
      // NB: the OAuth callback waits for this: a few quick tries, not a long outage's worth
      await retry(() => record(organizationId, [event]), { attempts: 3, retryable: () => true, baseMs: 100, maxMs: 400 }).catch((err) =>
        p.log.error({ err, organizationId, type: event.type }, "could not record a connection event"),
      );
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;

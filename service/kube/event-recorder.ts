// Kubernetes Events (core v1) about connection transitions, attached to the ZoomIntegration that
// owns the tokens Secret (so `kubectl describe zoomintegration` shows them). Events are best
// effort: a failure is logged, never fails the request that caused it. Messages carry no secrets.
// The Event itself is built and created by common/kube/events.ts, as the operator's are.
import type { V1OwnerReference } from "@kubernetes/client-node";
import { API_VERSION, KIND } from "../../common/api/constants.ts";
import { createEvent, type InvolvedObject } from "../../common/kube/events.ts";
import type { KubeAccess } from "../../common/kube/raw-client.ts";
import type { Logger } from "../../common/logger.ts";

export const EventReason = {
  Connected: "ZoomConnected",
  MissingScopes: "ZoomMissingScopes",
  ReauthorizationRequired: "ReauthorizationRequired",
  Disconnected: "ZoomDisconnected",
  Deauthorized: "ZoomDeauthorized",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

/** The Event's `action`: what the service was doing when the transition happened. */
const ACTION: Record<EventReason, string> = {
  [EventReason.Connected]: "Connect",
  [EventReason.MissingScopes]: "Connect",
  [EventReason.ReauthorizationRequired]: "RefreshToken",
  [EventReason.Disconnected]: "Disconnect",
  [EventReason.Deauthorized]: "Deauthorize",
};

/** source.component and reportingComponent of the service's Events. */
const SERVICE_COMPONENT = "zoom-integration-service";

export interface EventRecorder {
  record(owner: V1OwnerReference | undefined, type: "Normal" | "Warning", reason: EventReason, message: string): Promise<void>;
}

export interface EventRecorderProps {
  readonly kc: KubeAccess;
  readonly namespace: string;
  readonly integrationName: string;
  readonly podName: string;
  readonly now: () => number;
  readonly log: Logger;
}

export function createEventRecorder(props: EventRecorderProps): EventRecorder {
  // Without the tokens Secret's owner reference (no uid known), the Event names the integration.
  const integration: InvolvedObject = { apiVersion: API_VERSION, kind: KIND, name: props.integrationName, namespace: props.namespace };
  return {
    async record(owner, type, reason, message) {
      const involvedObject = owner
        ? { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, namespace: props.namespace }
        : integration;
      try {
        await createEvent(props.kc, {
          involvedObject,
          type,
          reason,
          message,
          action: ACTION[reason],
          component: SERVICE_COMPONENT,
          instance: props.podName,
          time: props.now(),
        });
      } catch (error) {
        props.log.warn({ reason, status: (error as { code?: unknown }).code }, "could not record a Kubernetes Event");
      }
    },
  };
}

/** Records nothing: for unit tests of handlers. */
export const noEvents: EventRecorder = { record: async () => {} };

// Kubernetes Events (core v1) about connection transitions, attached to the ZoomIntegration that
// owns the tokens Secret (so `kubectl describe zoomintegration` shows them). Events are best
// effort: a failure is logged, never fails the request that caused it. Messages carry no secrets.
import { randomBytes } from "node:crypto";
import type { CoreV1Api, V1OwnerReference } from "@kubernetes/client-node";
import type { Logger } from "../../common/logger.ts";

export const EventReason = {
  Connected: "ZoomConnected",
  MissingScopes: "ZoomMissingScopes",
  ReauthorizationRequired: "ReauthorizationRequired",
  Disconnected: "ZoomDisconnected",
  Deauthorized: "ZoomDeauthorized",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

export interface EventRecorder {
  record(owner: V1OwnerReference | undefined, type: "Normal" | "Warning", reason: EventReason, message: string): Promise<void>;
}

export interface EventRecorderProps {
  readonly core: CoreV1Api;
  readonly namespace: string;
  readonly integrationName: string;
  readonly podName: string;
  readonly now: () => number;
  readonly log: Logger;
}

export function createEventRecorder(props: EventRecorderProps): EventRecorder {
  return {
    async record(owner, type, reason, message) {
      const now = new Date(props.now());
      const involvedObject = owner
        ? { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, namespace: props.namespace }
        : { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: props.integrationName, namespace: props.namespace };
      try {
        await props.core.createNamespacedEvent({
          namespace: props.namespace,
          body: {
            metadata: {
              name: `${involvedObject.name}.${now.getTime().toString(16)}${randomBytes(3).toString("hex")}`,
              namespace: props.namespace,
            },
            involvedObject,
            type,
            reason,
            message: message.slice(0, 1024),
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
            source: { component: "zoom-integration-service" },
            reportingComponent: "bookingops.dev/zoom-integration-service",
            reportingInstance: props.podName,
          },
        });
      } catch (error) {
        props.log.warn({ reason, status: (error as { code?: unknown }).code }, "could not record a Kubernetes Event");
      }
    },
  };
}

/** Records nothing: for unit tests of handlers. */
export const noEvents: EventRecorder = { record: async () => {} };

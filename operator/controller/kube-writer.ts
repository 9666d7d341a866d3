// Every write the operator makes to the Kubernetes API goes through here: server-side apply of
// children, the status subresource, finalizers and Events. Each write is counted in a metric, which
// is how "no write when nothing changed" is observable.
import type { KubernetesObject } from "@kubernetes/client-node";
import { createEvent, type EventReporter } from "../../common/kube/events.ts";
import { KubeHttpError, rawRequest, resourcePath, serverSideApply, type KubeAccess } from "../../common/kube/raw-client.ts";
import { CHILD_KINDS, type ChildKind } from "./caches.ts";
import { API_VERSION, FIELD_MANAGER, KIND, PLURAL } from "../../common/api/constants.ts";
import type { ZoomIntegration, ZoomIntegrationStatus } from "../../common/api/zoom-integration.ts";
import type { OperatorMetrics } from "../metrics.ts";
import { setGuard } from "./revoke-guard.ts";
import type { Transition } from "./status.ts";

export interface KubeWriter {
  /** Server-side apply; returns the object as the API server stored it. */
  apply(obj: KubernetesObject): Promise<KubernetesObject>;
  /** Deletes one child (already gone counts as done); preconditioned on its uid. */
  remove(obj: KubernetesObject): Promise<void>;
  writeStatus(zi: ZoomIntegration, status: ZoomIntegrationStatus): Promise<void>;
  setFinalizers(zi: ZoomIntegration, finalizers: string[]): Promise<void>;
  /** Adds or removes the revoke guard on a Secret (revoke-guard.ts). */
  guardSecret(namespace: string, name: string, on: boolean): Promise<void>;
  event(zi: ZoomIntegration, t: Pick<Transition, "reason" | "message" | "warning">): Promise<void>;
}

const MERGE_PATCH = "application/merge-patch+json";

/** `reporter` signs the Events: the operator's component name and this replica's pod. */
export function createKubeWriter(kc: KubeAccess, metrics: OperatorMetrics, reporter: EventReporter): KubeWriter {
  const mergePatch = (zi: ZoomIntegration, subresource: string, body: unknown) =>
    rawRequest(kc, {
      method: "PATCH",
      path: resourcePath(API_VERSION, PLURAL, zi.metadata.namespace, zi.metadata.name) + subresource,
      body,
      contentType: MERGE_PATCH,
    });
  return {
    async apply(obj) {
      // Server-side apply with one field manager and force (we are the rightful owner of these
      // fields), sent as raw JSON: see raw-client.ts for why not client-node's patch.
      const plural = CHILD_KINDS[obj.kind as ChildKind]?.plural;
      if (!plural) throw new Error(`no REST mapping for kind ${obj.kind}`);
      const applied = await serverSideApply(kc, obj, plural, FIELD_MANAGER);
      metrics.writes.inc({ kind: obj.kind ?? "unknown", verb: "apply" });
      return applied;
    },
    async remove(obj) {
      const { apiVersion, plural } = CHILD_KINDS[obj.kind as ChildKind] ?? {};
      if (!plural || !apiVersion) throw new Error(`no REST mapping for kind ${obj.kind}`);
      const { name = "", namespace = "", uid } = obj.metadata ?? {};
      // NB: the uid precondition keeps a stale cache from deleting an object recreated meanwhile.
      const body = { apiVersion: "v1", kind: "DeleteOptions", ...(uid ? { preconditions: { uid } } : {}) };
      try {
        await rawRequest(kc, { method: "DELETE", path: resourcePath(apiVersion, plural, namespace, name), body });
      } catch (error) {
        if (!(error instanceof KubeHttpError && error.code === 404)) throw error;
      }
      metrics.writes.inc({ kind: obj.kind ?? "unknown", verb: "delete" });
    },
    async writeStatus(zi, status) {
      // NB: merge patch replaces lists whole; we always send the complete, recomputed status.
      await mergePatch(zi, "/status", { status });
      metrics.writes.inc({ kind: "ZoomIntegration", verb: "status" });
    },
    async setFinalizers(zi, finalizers) {
      // resourceVersion makes this a compare-and-swap: a concurrent change yields 409 and a retry.
      const body = { metadata: { finalizers, resourceVersion: zi.metadata.resourceVersion } };
      await mergePatch(zi, "", body);
      metrics.writes.inc({ kind: "ZoomIntegration", verb: "finalizer" });
    },
    async guardSecret(namespace, name, on) {
      await setGuard(kc, namespace, name, on);
      metrics.writes.inc({ kind: "Secret", verb: "finalizer" });
    },
    async event(zi, t) {
      await createEvent(kc, {
        involvedObject: {
          apiVersion: API_VERSION,
          kind: KIND,
          name: zi.metadata.name!,
          namespace: zi.metadata.namespace!,
          uid: zi.metadata.uid,
        },
        type: t.warning ? "Warning" : "Normal",
        reason: t.reason,
        message: t.message,
        action: "Reconcile",
        ...reporter,
        time: Date.now(),
      });
      metrics.writes.inc({ kind: "Event", verb: "create" });
    },
  };
}

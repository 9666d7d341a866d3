// The data of Secrets the operator reads but does not own (the credentials and webhook Secrets a
// ZoomIntegration references), read on demand: a metadata-only watch says which Secrets exist and
// at which resourceVersion, and a GET reads the data only when that changed. Only the data of
// referenced Secrets is held, keyed by namespace/name/resourceVersion, and dropped once unreferenced.
import type { V1Secret } from "@kubernetes/client-node";
import { type KubeAccess, rawGet } from "../../common/kube/raw-client.ts";

/** A Secret reduced to what the reconciler reads: its name, resourceVersion and data. */
export type SecretData = Pick<V1Secret, "data"> & {
  readonly metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    /** For the revoke guard (controller/revoke-guard.ts): whether it holds the Secret, and whether it is being deleted. */
    finalizers?: string[];
    deletionTimestamp?: Date;
  };
};

/** Where the watch last saw a Secret: its resourceVersion, or undefined when it does not exist. */
export type ResourceVersionOf = (namespace: string, name: string) => string | undefined;

export class ReferencedSecrets {
  private readonly held = new Map<string, SecretData>();
  private readonly kc: KubeAccess;
  private readonly resourceVersionOf: ResourceVersionOf;

  constructor(kc: KubeAccess, resourceVersionOf: ResourceVersionOf) {
    this.kc = kc;
    this.resourceVersionOf = resourceVersionOf;
  }

  /** The Secret's data, read again only when the watch saw a new resourceVersion; undefined when it does not exist. */
  async get(namespace: string, name: string): Promise<SecretData | undefined> {
    const key = `${namespace}/${name}`;
    const known = this.resourceVersionOf(namespace, name);
    const held = this.held.get(key);
    if (known === undefined) {
      this.held.delete(key);
      return undefined; // NB: a Secret created a moment ago arrives through the watch, which enqueues again
    }
    if (held?.metadata.resourceVersion === known) return held;
    const live = await readSecret(this.kc, namespace, name);
    if (!live) {
      this.held.delete(key);
      return undefined;
    }
    const data: SecretData = {
      metadata: {
        name,
        namespace,
        resourceVersion: live.metadata?.resourceVersion ?? "",
        ...(live.metadata?.finalizers ? { finalizers: live.metadata.finalizers } : {}),
        ...(live.metadata?.deletionTimestamp ? { deletionTimestamp: new Date(live.metadata.deletionTimestamp) } : {}),
      },
      data: live.data ?? {},
    };
    this.held.set(key, data);
    return data;
  }

  /** Drops the Secret's data (no longer referenced). */
  forget(namespace: string, name: string): void {
    this.held.delete(`${namespace}/${name}`);
  }

  /** Drops the data of every Secret `referenced` rejects. */
  retain(referenced: (namespace: string, name: string) => boolean): void {
    for (const [key, value] of this.held) if (!referenced(value.metadata.namespace, value.metadata.name)) this.held.delete(key);
  }

  /** Secrets whose data is held. */
  get size(): number {
    return this.held.size;
  }
}

function readSecret(kc: KubeAccess, namespace: string, name: string): Promise<V1Secret | undefined> {
  return rawGet<V1Secret>(kc, "v1", "secrets", namespace, name);
}

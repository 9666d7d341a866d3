// Lease-based leader election (client-node has none), in raw JSON (common/kube/raw-client.ts). One
// replica holds the coordination.k8s.io Lease and renews it; the others retry until it expires.
// Timings as client-go's defaults scaled for a ~20 s failover: lease 15 s, renew deadline 10 s,
// retry every 2 s.
import type { V1Lease } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { MicroTime } from "../../common/kube/micro-time.ts";
import { sleep } from "../../common/retry.ts";
import { httpStatus, networkCode } from "../errors.ts";
import { type KubeAccess, rawRequest, resourcePath } from "../../common/kube/raw-client.ts";

export interface LeaderElectionProps {
  readonly kc: KubeAccess;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly log: Logger;
  readonly now?: () => Date;
}

export interface Leadership {
  /** Resolves once this process leads. */
  readonly acquired: Promise<void>;
  /** Resolves if leadership is lost after being acquired (the process should then exit). */
  readonly lost: Promise<void>;
  /** Gives the lease up (so a standby takes over at once) and stops renewing. */
  release(): Promise<void>;
  /** For the probes: leading, and why the last try failed if it did. */
  status(): ElectionStatus;
}

export interface ElectionStatus {
  readonly leading: boolean;
  /** At least one try (read, create or update of the Lease) has finished. */
  readonly attempted: boolean;
  /** Why this replica cannot take part, from its last try; absent when that try worked. */
  readonly problem?: string;
}

type LeaseVerb = "get" | "create" | "update";

/** A failed call to the Lease API, with the verb it tried (RBAC and messages name it). */
class LeaseCallError extends Error {
  readonly verb: LeaseVerb;
  constructor(verb: LeaseVerb, cause: unknown) {
    super(`${verb} Lease failed`, { cause });
    this.verb = verb;
  }
}

async function call<T>(verb: LeaseVerb, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new LeaseCallError(verb, error);
  }
}

/**
 * Pure: why a failed try keeps this replica out of the election, as one line naming the namespace
 * and the Lease, and a key that is the same for the same problem (so it is logged once, not per
 * retry). Undefined for a conflict: another candidate wrote the Lease first, which is the election working.
 */
export function electionProblem(
  verb: LeaseVerb,
  error: unknown,
  namespace: string,
  name: string,
): { key: string; message: string } | undefined {
  const lease = `the Lease ${namespace}/${name}`;
  const status = httpStatus(error);
  if (status === 409) return undefined;
  if (status === 404 && verb === "create") {
    return {
      key: "namespace-missing",
      message: `the namespace ${namespace} does not exist, so ${lease} cannot be created: create the namespace, or set POD_NAMESPACE (--namespace) to one that exists`,
    };
  }
  if (status === 403 || status === 401) {
    return {
      key: `${status}-${verb}`,
      message: `the API server refused to ${verb} ${lease} (${status}): the operator needs get, update and create on leases.coordination.k8s.io in ${namespace}`,
    };
  }
  if (status !== undefined) return { key: `${status}-${verb}`, message: `the API server answered ${status} to ${verb} ${lease}` };
  const network = networkCode(error);
  if (network) return { key: `network-${network}`, message: `cannot reach the API server to ${verb} ${lease} (${network})` };
  return { key: `error-${verb}`, message: `${verb} ${lease} failed: ${error instanceof Error ? error.message : String(error)}` };
}

const asMicro = (d: Date | undefined) => (d === undefined ? undefined : new MicroTime(new Date(d).getTime()));

/** Pure: may `identity` take or keep `lease` at `now`? */
export function canAcquire(lease: V1Lease, identity: string, now: Date): boolean {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity || spec.holderIdentity === identity) return true;
  const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
  return renewed + (spec.leaseDurationSeconds ?? 15) * 1000 < now.getTime();
}

/** The Lease's three calls as raw JSON (its times are MicroTime: JSON.stringify writes six digits). */
function leaseApi(kc: KubeAccess, namespace: string, name: string) {
  const apiVersion = "coordination.k8s.io/v1";
  const path = resourcePath(apiVersion, "leases", namespace, name);
  return {
    read: () => rawRequest<V1Lease>(kc, { method: "GET", path }),
    create: (spec: V1Lease["spec"]) =>
      rawRequest<V1Lease>(kc, {
        method: "POST",
        path: resourcePath(apiVersion, "leases", namespace),
        body: { apiVersion, kind: "Lease", metadata: { name, namespace }, spec },
      }),
    // NB: the body carries the resourceVersion we read, so two candidates cannot both win.
    replace: (lease: V1Lease) => rawRequest<V1Lease>(kc, { method: "PUT", path, body: lease }),
  };
}

export function electLeader(props: LeaderElectionProps): Leadership {
  const { namespace, name, identity, log } = props;
  const api = leaseApi(props.kc, namespace, name);
  const duration = props.leaseDurationSeconds ?? 15;
  const now = () => new MicroTime((props.now ?? (() => new Date()))().getTime());
  let stopped = false;
  let leading = false;
  let attempted = false;
  let problem: { key: string; message: string } | undefined;
  let onAcquired!: () => void;
  let onLost!: () => void;
  const acquired = new Promise<void>((r) => (onAcquired = r));
  const lost = new Promise<void>((r) => (onLost = r));

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const t = now();
    let lease: V1Lease;
    try {
      lease = await call("get", api.read);
    } catch (error) {
      if (httpStatus((error as LeaseCallError).cause) !== 404) throw error;
      const spec = { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: t, renewTime: t, leaseTransitions: 0 };
      await call("create", () => api.create(spec));
      return true;
    }
    if (!canAcquire(lease, identity, t)) return false;
    const taking = lease.spec?.holderIdentity !== identity;
    const spec = {
      ...lease.spec,
      acquireTime: asMicro(lease.spec?.acquireTime),
      holderIdentity: identity,
      leaseDurationSeconds: duration,
      renewTime: t,
      ...(taking ? { acquireTime: t, leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 } : {}),
    };
    await call("update", () => api.replace({ ...lease, spec }));
    return true;
  };

  /** Warns once per distinct problem (not per retry), and says when it is gone. */
  const setProblem = (found: typeof problem, cause?: unknown) => {
    const lease = `${namespace}/${name}`;
    if (found && found.key !== problem?.key)
      log.warn({ err: cause, lease, namespace, problem: found.message }, "cannot take part in leader election");
    if (!found && problem) log.info({ lease }, "leader election works again");
    problem = found;
  };
  const note = (error: unknown) => {
    const e = error instanceof LeaseCallError ? error : new LeaseCallError("get", error);
    const found = electionProblem(e.verb, e.cause, namespace, name);
    log.debug(
      { err: e.cause, lease: `${namespace}/${name}`, problem: found?.message ?? "another candidate wrote first" },
      "lease try failed",
    );
    setProblem(found, e.cause);
  };

  const loop = async () => {
    const retry = props.retryPeriodMs ?? 2000;
    const deadline = props.renewDeadlineMs ?? 10_000;
    let lastRenew = 0;
    while (!stopped) {
      let ok = false;
      try {
        ok = await tryAcquireOrRenew();
        setProblem(undefined);
      } catch (error) {
        note(error);
      }
      attempted = true;
      if (ok) {
        lastRenew = Date.now();
        if (!leading) {
          leading = true;
          log.info({ lease: `${namespace}/${name}`, identity }, "became leader");
          onAcquired();
        }
      } else if (leading && Date.now() - lastRenew > deadline) {
        leading = false;
        log.error({ lease: `${namespace}/${name}` }, "lost leadership");
        onLost();
        return;
      }
      // NB: a fixed period, not a backoff: the renew deadline counts on a try every retry period.
      await sleep(retry);
    }
  };
  void loop();

  return {
    acquired,
    lost,
    status: () => ({ leading, attempted, ...(problem ? { problem: problem.message } : {}) }),
    release: async () => {
      stopped = true;
      if (!leading) return;
      leading = false;
      try {
        const lease = await api.read();
        if (lease.spec?.holderIdentity === identity) {
          const spec = {
            ...lease.spec,
            holderIdentity: undefined,
            renewTime: new MicroTime(0),
            acquireTime: asMicro(lease.spec.acquireTime),
          };
          await api.replace({ ...lease, spec });
        }
      } catch (error) {
        log.warn({ err: error }, "could not release the lease; a standby takes over when it expires");
      }
    },
  };
}

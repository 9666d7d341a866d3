// Lease-based leader election (client-node has none). One replica holds the coordination.k8s.io
// Lease and renews it; the others retry until it expires. Timings as client-go's defaults scaled
// for a ~20 s failover: lease 15 s, renew deadline 10 s, retry every 2 s.
import { CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { MicroTime } from "../../common/kube/micro-time.ts";
import { sleep } from "../../common/retry.ts";

export interface LeaderElectionProps {
  readonly kc: KubeConfig;
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
}

const asMicro = (d: Date | undefined) => (d === undefined ? undefined : new MicroTime(new Date(d).getTime()));

function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/** Pure: may `identity` take or keep `lease` at `now`? */
export function canAcquire(lease: V1Lease, identity: string, now: Date): boolean {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity || spec.holderIdentity === identity) return true;
  const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
  return renewed + (spec.leaseDurationSeconds ?? 15) * 1000 < now.getTime();
}

export function electLeader(props: LeaderElectionProps): Leadership {
  const api = props.kc.makeApiClient(CoordinationV1Api);
  const { namespace, name, identity, log } = props;
  const duration = props.leaseDurationSeconds ?? 15;
  const now = () => new MicroTime((props.now ?? (() => new Date()))().getTime());
  let stopped = false;
  let leading = false;
  let onAcquired!: () => void;
  let onLost!: () => void;
  const acquired = new Promise<void>((r) => (onAcquired = r));
  const lost = new Promise<void>((r) => (onLost = r));

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const t = now();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (httpCode(error) !== 404) throw error;
      const spec = { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: t, renewTime: t, leaseTransitions: 0 };
      await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
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
    // NB: replace carries the resourceVersion we read, so two candidates cannot both win.
    await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
    return true;
  };

  const loop = async () => {
    const retry = props.retryPeriodMs ?? 2000;
    const deadline = props.renewDeadlineMs ?? 10_000;
    let lastRenew = 0;
    while (!stopped) {
      let ok = false;
      try {
        ok = await tryAcquireOrRenew();
      } catch (error) {
        log.debug({ err: error }, "lease update failed");
      }
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
    release: async () => {
      stopped = true;
      if (!leading) return;
      leading = false;
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity === identity) {
          const spec = {
            ...lease.spec,
            holderIdentity: undefined,
            renewTime: new MicroTime(0),
            acquireTime: asMicro(lease.spec.acquireTime),
          };
          await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
        }
      } catch (error) {
        log.warn({ err: error }, "could not release the lease; a standby takes over when it expires");
      }
    },
  };
}

// The cluster network the e2e suite stands in for: the test plane has no CNI, kube-proxy or cluster
// DNS, but kwok gives pods loopback IPs and the pod runner runs the real processes there. So a
// Service resolves, as kube-proxy would, to the ready pods its selector picks, on the target port.
import { CoreV1Api, type KubeConfig, type V1Pod, type V1ServicePort } from "@kubernetes/client-node";
import { Agent, buildConnector } from "undici";

export interface Backend {
  readonly pod: string;
  readonly ip: string;
  readonly port: number;
}

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp && pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

function targetPort(pod: V1Pod, servicePort: V1ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  const asNumber = Number(target);
  if (Number.isInteger(asNumber)) return asNumber;
  const named = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target);
  return named?.containerPort;
}

/** The ready pods behind a Service port (number or name): what its EndpointSlices would list. */
export async function serviceBackends(kc: KubeConfig, namespace: string, service: string, port: number | string): Promise<Backend[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const svc = await core.readNamespacedService({ namespace, name: service });
  const servicePort = svc.spec?.ports?.find((p) => p.port === port || p.name === port);
  if (!servicePort) throw new Error(`Service ${namespace}/${service} has no port ${port}`);
  const labelSelector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  if (!labelSelector) throw new Error(`Service ${namespace}/${service} has no selector`);
  const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items;
  return pods.filter(isReady).flatMap((pod) => {
    const ip = pod.status?.podIP;
    const target = targetPort(pod, servicePort);
    return ip && target ? [{ pod: pod.metadata?.name ?? "", ip, port: target }] : [];
  });
}

/** Picks backends in turn, as kube-proxy spreads connections over endpoints. */
export function roundRobin(): (backends: readonly Backend[]) => Backend | undefined {
  let next = 0;
  return (backends) => (backends.length === 0 ? undefined : backends[next++ % backends.length]);
}

const SERVICE_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;

/**
 * An undici dispatcher that connects `http://<service>.<namespace>.svc:<port>` (a ZoomIntegration's
 * `status.endpoint`) to a ready pod behind that Service port, the way a booking-app pod reaches it
 * in a cluster. Any other host is refused, so nothing leaves the test's loopback network.
 */
export function clusterDispatcher(kc: KubeConfig): Agent {
  const connect = buildConnector({ timeout: 5000 });
  const pick = roundRobin();
  return new Agent({
    // NB: one request per connection, so a rolled pod's kept-alive socket is never reused.
    pipelining: 0,
    keepAliveTimeout: 1,
    connect(options, callback) {
      const match = SERVICE_HOST.exec(options.hostname);
      if (!match) {
        callback(new Error(`${options.hostname} is not a Service name (<service>.<namespace>.svc)`), null);
        return;
      }
      const [, service = "", , namespace = ""] = match;
      serviceBackends(kc, namespace, service, Number(options.port))
        .then((backends) => {
          const backend = pick(backends);
          if (!backend) throw new Error(`Service ${namespace}/${service} has no ready endpoint for port ${options.port}`);
          connect({ ...options, hostname: backend.ip, host: `${backend.ip}:${backend.port}`, port: String(backend.port) }, callback);
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null));
    },
  });
}

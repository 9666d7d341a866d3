// The integration tier's stand-in for an ingress controller, for Ingresses without a class or of
// class ADMITTED_CLASS only:
// it publishes 127.0.0.1 in status.loadBalancer (routing nothing), so tests about everything but
// routing still see Routed=True (which needs an admitted Ingress). Real routing is Traefik's, for
// Ingresses of class "traefik" (test/cluster/traefik.ts: the e2e suite, test/integration/routing-traefik.test.ts).
// NB: an Ingress of any other class is left alone, so a test can prove that nothing admits it.
import { type KubeConfig, makeInformer, NetworkingV1Api, type V1Ingress } from "@kubernetes/client-node";
import { rawRequest } from "../../common/kube/raw-client.ts";

export const ADMITTED_ADDRESS = "127.0.0.1";
/** A class this stand-in answers for, for tests that set routing.ingress.className. */
export const ADMITTED_CLASS = "test-bed";

const needsAdmission = (i: V1Ingress) =>
  [undefined, ADMITTED_CLASS].includes(i.spec?.ingressClassName) && (i.status?.loadBalancer?.ingress ?? []).length === 0;

export interface IngressAdmitter {
  stop(): Promise<void>;
}

export async function startIngressAdmitter(kc: KubeConfig, log: (m: string) => void): Promise<IngressAdmitter> {
  const api = kc.makeApiClient(NetworkingV1Api);
  const informer = makeInformer<V1Ingress>(kc, "/apis/networking.k8s.io/v1/ingresses", () => api.listIngressForAllNamespaces());
  let stopped = false;
  const admit = (i: V1Ingress) => {
    if (!needsAdmission(i)) return;
    const { namespace = "", name = "" } = i.metadata ?? {};
    rawRequest(kc, {
      method: "PATCH",
      path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}/status`,
      contentType: "application/merge-patch+json",
      body: { status: { loadBalancer: { ingress: [{ ip: ADMITTED_ADDRESS }] } } },
    }).catch((error: unknown) => log(`could not admit Ingress ${namespace}/${name}: ${String(error)}`)); // e.g. its namespace is gone
  };
  informer.on("add", admit);
  informer.on("update", admit);
  // NB: client-node's informer stops on a watch error (an API server restart in a chaos test): start it again.
  informer.on("error", () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => {}), 1000).unref();
  });
  await informer.start();
  return {
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}

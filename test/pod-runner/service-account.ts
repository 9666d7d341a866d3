// The pod's ServiceAccount identity for a local process. In-cluster config cannot work here (the
// API server is 127.0.0.1:<port> with our own CA, and no kubelet mounts tokens: the ServiceAccount
// admission plugin is off), so the runner mints a pod-bound token with the TokenRequest API and
// writes a kubeconfig for it: the process runs with exactly its RBAC, and the token dies with the pod.
import { readFile, writeFile } from "node:fs/promises";
import type { KubeConfig, V1Pod, V1ServiceAccount } from "@kubernetes/client-node";
import { rawRequest, resourcePath } from "../../common/kube/raw-client.ts";

/** Requested lifetime; long enough for any test or sandbox session (the token is rewritten per pod start). */
const TOKEN_SECONDS = 24 * 3600;

interface TokenRequestStatus {
  readonly status: { readonly token: string; readonly expirationTimestamp: string };
}

/** Whether kubelet would mount a token: the pod's setting, else the ServiceAccount's, else yes. */
async function automounts(kc: KubeConfig, pod: V1Pod, account: string): Promise<boolean> {
  if (pod.spec?.automountServiceAccountToken !== undefined) return pod.spec.automountServiceAccountToken;
  const sa = await rawRequest<V1ServiceAccount>(kc, {
    method: "GET",
    path: resourcePath("v1", "serviceaccounts", pod.metadata?.namespace, account),
  });
  return sa.automountServiceAccountToken ?? true;
}

async function caData(kc: KubeConfig): Promise<string | undefined> {
  const cluster = kc.getCurrentCluster();
  if (cluster?.caData) return cluster.caData;
  return cluster?.caFile ? (await readFile(cluster.caFile)).toString("base64") : undefined;
}

/**
 * Writes a kubeconfig at `path` that authenticates as the pod's ServiceAccount (namespace = the
 * pod's); returns false, writing nothing, when the pod does not automount a token.
 */
export async function writeServiceAccountKubeconfig(kc: KubeConfig, pod: V1Pod, path: string): Promise<boolean> {
  const namespace = pod.metadata?.namespace ?? "";
  const account = pod.spec?.serviceAccountName || "default";
  if (!(await automounts(kc, pod, account))) return false;
  const minted = await rawRequest<TokenRequestStatus>(kc, {
    method: "POST",
    path: `${resourcePath("v1", "serviceaccounts", namespace, account)}/token`,
    body: {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {
        expirationSeconds: TOKEN_SECONDS,
        // NB: binding to the pod requires the pod to name the account; without the ServiceAccount
        // admission plugin a pod that names none keeps an empty serviceAccountName ("default").
        ...(pod.spec?.serviceAccountName
          ? { boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata?.name, uid: pod.metadata?.uid } }
          : {}),
      },
    },
  });
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the runner's kubeconfig has no current cluster");
  const ca = await caData(kc);
  const user = `system:serviceaccount:${namespace}:${account}`;
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "zio-local", cluster: { server, ...(ca ? { "certificate-authority-data": ca } : {}) } }],
    users: [{ name: user, user: { token: minted.status.token } }],
    contexts: [{ name: "pod", context: { cluster: "zio-local", user, namespace } }],
    "current-context": "pod",
  };
  // NB: JSON (a kubeconfig may be JSON): as with a real pod's ServiceAccount, its programs load no YAML parser.
  await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  return true;
}

// Kubeconfig files for the local control plane (client-certificate users only).
import { readFile, writeFile } from "node:fs/promises";
import type { ClientCert } from "./certs.ts";

export interface KubeconfigProps {
  readonly server: string;
  readonly caCert: string;
  readonly client: ClientCert;
  readonly user: string;
}

/** Writes a kubeconfig with inline (base64) credentials, so it stays valid if copied elsewhere. */
export async function writeKubeconfig(path: string, props: KubeconfigProps): Promise<void> {
  const b64 = async (file: string) => (await readFile(file)).toString("base64");
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "zio-local", cluster: { server: props.server, "certificate-authority-data": await b64(props.caCert) } }],
    users: [
      {
        name: props.user,
        user: { "client-certificate-data": await b64(props.client.cert), "client-key-data": await b64(props.client.key) },
      },
    ],
    contexts: [{ name: "zio-local", context: { cluster: "zio-local", user: props.user } }],
    "current-context": "zio-local",
  };
  // NB: JSON (a kubeconfig may be JSON): the operator and service then load no YAML parser, as in a pod
  // (common/kube/kube-access.ts), so what tests and benchmarks measure is what a pod pays.
  await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
}

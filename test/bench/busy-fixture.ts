// A busy cluster the operator has nothing to do with: Helm-release-like Secrets (the biggest objects
// a real cluster holds in numbers) and ConfigMaps, spread over namespaces of their own.
import { randomBytes } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { resourcePath } from "../../common/kube/raw-client.ts";
import { create, inParallel, namespaceBody, tenths } from "./bench-plane.ts";

export interface FixtureProps {
  readonly secrets: number;
  readonly configMaps: number;
  readonly secretKb: number;
  readonly concurrency: number;
  readonly progress: (message: string) => void;
}

const NAMESPACES = 20;
const foreignNamespace = (i: number) => `apps-${String(i % NAMESPACES).padStart(2, "0")}`;

/** Helm stores a release gzipped and base64-encoded: incompressible text of the given size. */
export function helmReleaseSecret(i: number, kb: number) {
  const release = randomBytes(Math.ceil((kb * 1024 * 3) / 4))
    .toString("base64")
    .slice(0, kb * 1024);
  const app = `app-${i}`;
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "helm.sh/release.v1",
    metadata: {
      name: `sh.helm.release.v1.${app}.v1`,
      labels: { owner: "helm", name: app, status: "deployed", version: "1" },
    },
    data: { release: Buffer.from(release, "utf8").toString("base64") },
  };
}

export function foreignConfigMap(i: number) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `app-${i}-config`, labels: { "app.kubernetes.io/name": `app-${i}` } },
    data: { "settings.yaml": `replicas: 2\nfeature: ${"x".repeat(2000)}\n`, index: String(i) },
  };
}

export async function createBusyFixture(kc: KubeConfig, props: FixtureProps): Promise<void> {
  const t0 = Date.now();
  await inParallel(NAMESPACES, props.concurrency, (i) => create(kc, "/api/v1/namespaces", namespaceBody(foreignNamespace(i))));
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  await inParallel(
    props.secrets,
    props.concurrency,
    (i) => create(kc, resourcePath("v1", "secrets", foreignNamespace(i)), helmReleaseSecret(i, props.secretKb)),
    tenths(props.secrets, (done) => props.progress(`fixture: ${done}/${props.secrets} foreign Secrets (${elapsed()})`)),
  );
  await inParallel(
    props.configMaps,
    props.concurrency,
    (i) => create(kc, resourcePath("v1", "configmaps", foreignNamespace(i)), foreignConfigMap(i)),
    tenths(props.configMaps, (done) => props.progress(`fixture: ${done}/${props.configMaps} foreign ConfigMaps (${elapsed()})`)),
  );
}

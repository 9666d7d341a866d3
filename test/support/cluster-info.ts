/** What the global setup hands to every integration/e2e test about the running control plane. */
export interface ClusterInfo {
  readonly kubeconfigPath: string;
  /** Absolute path of the kubectl built with the control plane. */
  readonly kubectl: string;
  readonly server: string;
  /** The control plane's directory (certificates, logs). */
  readonly dir: string;
  readonly binDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

// Kubernetes credentials without client-node, whose import alone costs 50-70 MiB of RSS (it loads
// every API model): half of a service pod's idle footprint, a third of the operator's. Understood
// here: the in-cluster ServiceAccount (what a pod uses), and kubeconfig files whose user has a token,
// a token file, a client certificate or basic auth. Anything else (exec plugins, auth providers,
// impersonation, several files in KUBECONFIG) goes to client-node's KubeConfig, imported only then.
import { existsSync, readFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { isIPv6 } from "node:net";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { Cluster } from "@kubernetes/client-node";
import type { KubeAccess } from "./raw-client.ts";

/** Where the kubelet mounts the ServiceAccount's token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** NB: a projected ServiceAccount token is rotated by the kubelet: re-read at most this old (as client-go does). */
export const TOKEN_FILE_MAX_AGE_MS = 60_000;

/** Where the credentials come from (env KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT; parsed in config.ts). */
export interface KubeSource {
  readonly kubeconfig: string | undefined;
  readonly serviceHost: string | undefined;
  readonly servicePort: string | undefined;
}

export interface LoadOptions {
  readonly serviceAccountDir?: string;
  readonly home?: string;
  readonly now?: () => number;
}

export interface Credentials {
  readonly cluster: Cluster;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly token?: string | undefined;
  readonly tokenFile?: string | undefined;
  readonly basic?: string | undefined;
}

/** Order: KUBECONFIG, then the in-cluster ServiceAccount, then ~/.kube/config. */
export async function loadKubeAccess(source: KubeSource, options: LoadOptions = {}): Promise<KubeAccess> {
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const now = options.now ?? Date.now;
  if (source.kubeconfig) return fromKubeconfigFile(source.kubeconfig, now);
  if (source.serviceHost && existsSync(join(saDir, "token"))) return access(inCluster(source, saDir), now);
  const fallback = join(options.home ?? homedir(), ".kube", "config");
  if (existsSync(fallback)) return fromKubeconfigFile(fallback, now);
  throw new Error(`no Kubernetes credentials: KUBECONFIG is not set, ${saDir}/token does not exist and neither does ${fallback}`);
}

function inCluster(source: KubeSource, saDir: string): Credentials {
  const host = isIPv6(source.serviceHost ?? "") ? `[${source.serviceHost}]` : source.serviceHost;
  const port = source.servicePort ?? "443";
  const scheme = ["80", "8080", "8001"].includes(port) ? "http" : "https"; // as client-node's loadFromCluster
  const cluster = { name: "inCluster", server: `${scheme}://${host}:${port}`, caFile: join(saDir, "ca.crt"), skipTLSVerify: false };
  return { cluster, ca: readFileSync(cluster.caFile), tokenFile: join(saDir, "token") };
}

type Entry = Record<string, unknown>;
const USER_KEYS = new Set([
  "token",
  "tokenFile",
  "client-certificate",
  "client-certificate-data",
  "client-key",
  "client-key-data",
  "username",
  "password",
]);
const CLUSTER_KEYS = new Set([
  "server",
  "certificate-authority",
  "certificate-authority-data",
  "insecure-skip-tls-verify",
  "tls-server-name",
  "proxy-url",
]);

async function fromKubeconfigFile(path: string, now: () => number): Promise<KubeAccess> {
  const credentials = path.includes(":") ? undefined : await parseKubeconfig(path);
  if (credentials) return access(credentials, now);
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig(); // NB: only for kubeconfigs beyond this loader: client-node's footprint is paid only then
  if (path.includes(":")) kc.loadFromDefault();
  else kc.loadFromFile(path);
  return kc;
}

/** The `yaml` package's parse: a CommonJS package, whose import is only `default` once bundled (scripts/build.ts). */
async function yamlParse(): Promise<typeof import("yaml").parse> {
  const yaml: Partial<typeof import("yaml")> & { default?: typeof import("yaml") } = await import("yaml");
  return yaml.parse ?? (yaml.default as typeof import("yaml")).parse;
}

/** The current context's cluster and user, or undefined when they need more than this loader knows. */
export async function parseKubeconfig(path: string): Promise<Credentials | undefined> {
  const text = readFileSync(path, "utf8");
  // NB: YAML only when needed (JSON is YAML too): the `yaml` package costs ~13 MiB of RSS.
  const doc = (text.trimStart().startsWith("{") ? JSON.parse(text) : (await yamlParse())(text)) as Entry;
  const named = (list: string, name: unknown, field: string): Entry => {
    const entry = (doc[list] as Entry[] | undefined)?.find((e) => e["name"] === name)?.[field];
    if (!entry || typeof entry !== "object") throw new Error(`${path}: no ${list.slice(0, -1)} named ${JSON.stringify(name)}`);
    return entry as Entry;
  };
  const context = named("contexts", doc["current-context"], "context");
  const c = named("clusters", context["cluster"], "cluster");
  const u = (doc["users"] as Entry[] | undefined)?.some((e) => e["name"] === context["user"])
    ? named("users", context["user"], "user")
    : {};
  if (Object.keys(u).some((k) => !USER_KEYS.has(k)) || Object.keys(c).some((k) => !CLUSTER_KEYS.has(k))) return undefined;
  const file = (key: string, dataKey: string, entry: Entry) => {
    if (typeof entry[dataKey] === "string") return Buffer.from(entry[dataKey] as string, "base64");
    const f = entry[key];
    return typeof f === "string" ? readFileSync(isAbsolute(f) ? f : join(dirname(path), f)) : undefined;
  };
  const cluster: Cluster = {
    name: String(context["cluster"]),
    server: String(c["server"] ?? ""),
    skipTLSVerify: c["insecure-skip-tls-verify"] === true,
    ...(typeof c["tls-server-name"] === "string" ? { tlsServerName: c["tls-server-name"] } : {}),
    ...(typeof c["proxy-url"] === "string" ? { proxyUrl: c["proxy-url"] } : {}),
  };
  const tokenFile = typeof u["tokenFile"] === "string" ? u["tokenFile"] : undefined;
  return {
    cluster,
    ca: file("certificate-authority", "certificate-authority-data", c),
    cert: file("client-certificate", "client-certificate-data", u),
    key: file("client-key", "client-key-data", u),
    token: typeof u["token"] === "string" ? u["token"] : undefined,
    tokenFile: tokenFile && !isAbsolute(tokenFile) ? join(dirname(path), tokenFile) : tokenFile,
    basic: typeof u["username"] === "string" ? `${u["username"]}:${String(u["password"] ?? "")}` : undefined,
  };
}

/** A KubeAccess over fixed credentials; a token file is re-read once it is TOKEN_FILE_MAX_AGE_MS old. */
export function access(credentials: Credentials, now: () => number = Date.now): KubeAccess {
  let cached: { token: string; readAt: number } | undefined;
  const token = () => {
    if (!credentials.tokenFile) return credentials.token;
    if (!cached || now() - cached.readAt >= TOKEN_FILE_MAX_AGE_MS) {
      cached = { token: readFileSync(credentials.tokenFile, "utf8").trim(), readAt: now() };
    }
    return cached.token;
  };
  return {
    getCurrentCluster: () => credentials.cluster,
    async applyToHTTPSOptions(options: RequestOptions) {
      const { cluster, ca, cert, key, basic } = credentials;
      Object.assign(options, { ca, cert, key }, cluster.skipTLSVerify ? { rejectUnauthorized: false } : {});
      if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
      const bearer = token();
      if (bearer) options.headers = { ...options.headers, Authorization: `Bearer ${bearer}` };
      if (basic) options.auth = basic;
    },
  };
}

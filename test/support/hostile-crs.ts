// Valid-but-hostile ZoomIntegrations: every one passes the API server's schema, and each pushes a
// limit (field lengths, unicode, quantity spellings, selectors, label counts, a contested domain,
// missing Secrets). `expected` is the Ready reason the operator must end up reporting.
import { Reason } from "../../common/api/constants.ts";
import { zoomIntegration } from "./tenant-fixtures.ts";

export interface HostileCr {
  readonly category: string;
  readonly name: string;
  readonly body: ReturnType<typeof zoomIntegration>;
  /** The Secret to create as `<name>-creds`: both keys, only the client id, or none. */
  readonly credentials: "both" | "idOnly" | "none";
  /** Acceptable Ready reasons once converged. */
  readonly expected: readonly string[];
}

const pad = (prefix: string, length: number, fill: string) => prefix + fill.repeat(Math.max(0, length - prefix.length));
/** A 249-character domain (the maximum: app.<domain> is 253) that is unique per `i`. */
const longDomain = (i: number) => {
  const labels = [pad(`d${i}-`, 63, "a"), "b".repeat(63), "c".repeat(63)];
  return `${labels.join(".")}.${pad("e", 249 - 3 * 64, "x")}`;
};
// A qualified annotation key of the maximum 317 characters: a 253-character prefix and a 63-character name.
const LONG_KEY = `${["a", "b", "c"].map((c) => c.repeat(63)).join(".")}.${"d".repeat(61)}/${"n".repeat(63)}`;
const UNICODE = "Zoom ✓ für Bücher · 日本語 · עברית · emoji 🚀 · zero\u200bwidth · combining e\u0301";
export const CPU_FORMS = ["1", "0.5", ".5", "500m", "5e-1", "1E0", "+1", "2", "100000u", "1000000n", "0.001k"] as const;
export const MEMORY_FORMS = [
  "128Mi",
  "134217728",
  "128M",
  "0.125Gi",
  "1e8",
  "1E8",
  "131072Ki",
  "100000k",
  "0.1G",
  "+64Mi",
  "67108864",
] as const;
const SELECTORS = [
  {},
  { matchLabels: {} },
  { matchLabels: { "never.example/matches": "nothing" } },
  { matchExpressions: [{ key: "app", operator: "Exists" }] },
  { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] },
  { matchExpressions: [{ key: "tier", operator: "In", values: Array.from({ length: 50 }, (_, i) => `v${i}`) }] },
  { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["x"] }], matchLabels: { app: "booking" } },
] as const;

const ok = [Reason.Reconciled, Reason.DeploymentProgressing, Reason.DeploymentUnavailable, Reason.IngressPending];

/** About 100 per `scale`. */
export function hostileCrs(scale = 1): HostileCr[] {
  const out: HostileCr[] = [];
  const add = (category: string, name: string, spec: Record<string, unknown>, extra: Partial<HostileCr> = {}) =>
    out.push({ category, name, body: zoomIntegration(name, spec), credentials: "both", expected: ok, ...extra });
  for (let i = 0; i < 10 * scale; i++) {
    add("max-length", pad(`m${i}-`, 58, "z"), {
      domain: longDomain(i),
      afterConnectPath: `/${"p".repeat(511)}`,
      routing: {
        ingress: { className: pad("c", 253, "c"), tlsSecretName: pad("t", 253, "t"), annotations: { [LONG_KEY]: "v".repeat(4096) } },
      },
      service: { replicas: 1, image: pad("registry.example/", 512, "i") },
      credentialsSecretRef: {
        name: pad(`m${i}-`, 58, "z").concat("-creds"),
        clientIdKey: pad("k", 253, "k"),
        clientSecretKey: pad("s", 253, "s"),
      },
    });
  }
  for (let i = 0; i < 10 * scale; i++) {
    add("unicode", `u${i}`, {
      domain: `u${i}.xn--bcher-kva.example`,
      routing: { ingress: { annotations: { "example.com/note": UNICODE, "example.com/empty": "" } } },
    });
  }
  for (let i = 0; i < CPU_FORMS.length * scale; i++) {
    const cpu = CPU_FORMS[i % CPU_FORMS.length]!;
    const memory = MEMORY_FORMS[i % MEMORY_FORMS.length]!;
    add("quantities", `q${i}`, { service: { replicas: 1, resources: { requests: { cpu, memory }, limits: { cpu: "2", memory: "1Gi" } } } });
  }
  for (let i = 0; i < 2 * SELECTORS.length * scale; i++)
    add("selectors", `s${i}`, { clients: { podSelector: SELECTORS[i % SELECTORS.length] } });
  for (let i = 0; i < 10 * scale; i++) {
    const podLabels = Object.fromEntries(Array.from({ length: 300 }, (_, j) => [`l${j}.example.com/k-${j}`, pad(`v${j}-`, 63, "x")]));
    add("pod-labels", `l${i}`, { service: { replicas: 1, podLabels } });
  }
  for (let i = 0; i < 5 * scale; i++) {
    add("contested-domain", `c${i}`, { domain: `contested-${Math.floor(i / 5)}.example` }, { expected: [...ok, Reason.DomainConflict] });
  }
  for (let i = 0; i < 25 * scale; i++) add("no-credentials", `n${i}`, {}, { credentials: "none", expected: [Reason.SecretNotFound] });
  for (let i = 0; i < 15 * scale; i++)
    add("credentials-key-missing", `k${i}`, {}, { credentials: "idOnly", expected: [Reason.SecretKeyMissing] });
  return out;
}

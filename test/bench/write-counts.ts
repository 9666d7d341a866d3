// Writes as kube-apiserver counts them (apiserver_request_total): mutating verbs by resource, so a
// benchmark can say which writes happened in a window without trusting the operator's own counter.

/** `resource[/subresource] VERB` -> requests served so far. */
export type WriteCounts = ReadonlyMap<string, number>;

const MUTATING = new Set(["POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"]);
/** Events and Leases are the heartbeat of every component (and Events the operator's transitions). */
const IGNORED = new Set(["events", "leases"]);

/** The resources the operator writes: ZoomIntegrations and the tenant's children. */
export const OPERATOR_RESOURCES = new Set([
  "zoomintegrations",
  "zoomintegrations/status",
  "serviceaccounts",
  "roles",
  "rolebindings",
  "secrets",
  "configmaps",
  "deployments",
  "services",
  "ingresses",
  "networkpolicies",
  "poddisruptionbudgets",
]);

function label(line: string, name: string): string {
  return new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1] ?? "";
}

export function parseWriteCounts(metricsText: string): WriteCounts {
  return parseCounts(metricsText, (verb, resource) => MUTATING.has(verb) && !IGNORED.has(resource));
}

/**
 * Every request but WATCH (a watch is one long request, not load per object), reads included: what a
 * phase cost kube-apiserver, by `resource[/subresource] VERB`.
 */
export function parseRequestCounts(metricsText: string): WriteCounts {
  return parseCounts(metricsText, (verb) => verb !== "WATCH" && verb !== "CONNECT");
}

function parseCounts(metricsText: string, counted: (verb: string, resource: string) => boolean): WriteCounts {
  const counts = new Map<string, number>();
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const verb = label(line, "verb");
    const resource = label(line, "resource");
    if (!counted(verb, resource)) continue;
    const sub = label(line, "subresource");
    const key = `${resource}${sub ? `/${sub}` : ""} ${verb}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
}

/** What was served between two readings, without the zeros, largest first. */
export function writesBetween(before: WriteCounts, after: WriteCounts): [string, number][] {
  return [...after]
    .map(([key, n]): [string, number] => [key, n - (before.get(key) ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The writes to what the operator owns (deployments/status is the controller-manager's). */
export function operatorWrites(diff: readonly [string, number][]): number {
  return diff.filter(([key]) => OPERATOR_RESOURCES.has(key.split(" ")[0] ?? "")).reduce((sum, [, n]) => sum + n, 0);
}

export function formatWrites(diff: readonly [string, number][]): string {
  if (diff.length === 0) return "none";
  return diff.map(([key, n]) => `${key}${OPERATOR_RESOURCES.has(key.split(" ")[0] ?? "") ? "*" : ""}=${n}`).join(", ");
}

/** Requests per tenant, largest first: `total/n` then the items above `min` per tenant. */
export function formatPerTenant(diff: readonly [string, number][], n: number, min = 0.05): string {
  const total = diff.reduce((sum, [, k]) => sum + k, 0);
  const items = diff.filter(([, k]) => k / n >= min).map(([key, k]) => `${key}=${(k / n).toFixed(1)}`);
  return `${(total / Math.max(1, n)).toFixed(1)} per tenant (${items.join(", ")})`;
}

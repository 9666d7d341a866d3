// kube-apiserver's own count of the writes it served for the resources the operator writes: the
// observable "no write when nothing changed", independent of the operator's own metric.
import { kubectl } from "./cluster-env.ts";

const OPERATOR_RESOURCES = [
  "zoomintegrations",
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
  "events",
];

/**
 * Cluster-wide successful APPLY/PATCH/POST/PUT/DELETE requests on those resources, from /metrics.
 * NB: Deployment status is the controller-manager's, not ours, so that subresource is left out.
 */
export async function apiserverWrites(): Promise<number> {
  return writesIn(await requestCounters());
}

async function requestCounters(): Promise<string[]> {
  const res = await kubectl(["get", "--raw", "/metrics"]);
  return res.stdout.split("\n").filter((l) => l.startsWith("apiserver_request_total{"));
}

/** The children the operator caches as views only (operator/controller/caches.ts CHILD_VIEWS): reading one whole is a GET. */
const VIEWED_CHILDREN = [
  "serviceaccounts",
  "roles",
  "rolebindings",
  "deployments",
  "services",
  "ingresses",
  "networkpolicies",
  "poddisruptionbudgets",
];

/** Cluster-wide successful GETs of one object of those kinds (not lists or watches, which are LIST/WATCH). */
export async function apiserverChildReads(): Promise<number> {
  return (await requestCounters())
    .filter((l) => l.includes('verb="GET"') && /code="2\d\d"/.test(l) && l.includes('subresource=""'))
    .filter((l) => VIEWED_CHILDREN.some((k) => l.includes(`resource="${k}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

function writesIn(lines: string[]): number {
  return (
    lines
      .filter((l) => /verb="(APPLY|PATCH|POST|PUT|DELETE)"/.test(l))
      // NB: a refused request wrote nothing (e.g. a stopped test's process writing into its deleted
      // namespace answers 404); only writes the API server carried out count.
      .filter((l) => /code="2\d\d"/.test(l))
      .filter((l) => OPERATOR_RESOURCES.some((k) => l.includes(`resource="${k}"`)))
      .filter((l) => !(l.includes('resource="deployments"') && l.includes('subresource="status"')))
      // NB: an Ingress's status is the ingress controller's (ingress-admitter.ts in tests), not ours.
      .filter((l) => !(l.includes('resource="ingresses"') && l.includes('subresource="status"')))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0)
  );
}

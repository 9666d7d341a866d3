// Who holds each domain. A domain routes to exactly one ZoomIntegration, or a tenant in another
// namespace could claim app.<victim's domain> and receive the victim's OAuth codes. The oldest
// claim wins; the others wait, without a route, until the holder goes or changes its domain.
import { domainToASCII } from "node:url";
import type { KubernetesObject } from "@kubernetes/client-node";

export interface Claim {
  /** `namespace/name`: the work-queue key. */
  readonly key: string;
  readonly uid: string;
  /** RFC 3339, as the API server wrote it (second precision). */
  readonly createdAt: string;
  /** Normalised (see normaliseDomain). */
  readonly domain: string;
}

/**
 * The form domains compare in: lower case, no trailing dot, IDN as punycode. The CRD already
 * refuses the other forms; this guards objects stored before that rule and keeps the comparison
 * independent of it. A name domainToASCII refuses is compared as it is (lower-cased).
 */
export function normaliseDomain(domain: string): string {
  const lower = domain.trim().toLowerCase().replace(/\.+$/, "");
  return domainToASCII(lower) || lower;
}

/** Oldest first; NB: creationTimestamp has second precision, so ties are common: then key, then uid. */
export function claimOrder(a: Claim, b: Claim): number {
  const byTime = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}

/** The holder of each domain among `claims`. */
export function domainHolders(claims: Iterable<Claim>): Map<string, Claim> {
  const holders = new Map<string, Claim>();
  for (const claim of claims) {
    const current = holders.get(claim.domain);
    if (!current || claimOrder(claim, current) < 0) holders.set(claim.domain, claim);
  }
  return holders;
}

/** The claim a ZoomIntegration makes; undefined without a domain (the schema refuses that). */
export function claimOf(zi: KubernetesObject): Claim | undefined {
  const domain = (zi as { spec?: { domain?: unknown } }).spec?.domain;
  if (typeof domain !== "string" || domain === "") return undefined;
  const { namespace = "", name = "", uid = "", creationTimestamp } = zi.metadata ?? {};
  const createdAt = creationTimestamp instanceof Date ? creationTimestamp.toISOString() : String(creationTimestamp ?? "");
  return { key: `${namespace}/${name}`, uid, createdAt, domain: normaliseDomain(domain) };
}

/**
 * The domains claimed by the ZoomIntegrations in the operator's cache, kept up to date from its
 * watch events. Scope: what the operator watches (every namespace, or WATCH_NAMESPACES).
 */
export class DomainIndex {
  readonly #byKey = new Map<string, Claim>();
  readonly #byDomain = new Map<string, Map<string, Claim>>();

  /** Records `zi` (or its absence: `gone`); returns the keys whose verdict may have changed. */
  observe(zi: KubernetesObject, gone: boolean): string[] {
    const key = `${zi.metadata?.namespace}/${zi.metadata?.name}`;
    const before = this.#byKey.get(key);
    const after = gone ? undefined : claimOf(zi);
    if (before) this.#byDomain.get(before.domain)?.delete(key);
    if (before && this.#byDomain.get(before.domain)?.size === 0) this.#byDomain.delete(before.domain);
    if (after) {
      this.#byKey.set(key, after);
      const claims = this.#byDomain.get(after.domain) ?? new Map<string, Claim>();
      claims.set(key, after);
      this.#byDomain.set(after.domain, claims);
    } else {
      this.#byKey.delete(key);
    }
    const affected = new Set([...this.claimants(before?.domain), ...this.claimants(after?.domain)]);
    affected.delete(key);
    return [...affected];
  }

  /** The holder of `key`'s domain when it is another ZoomIntegration: `key` must then have no route. */
  heldByOther(key: string): Claim | undefined {
    const own = this.#byKey.get(key);
    if (!own) return undefined;
    const holder = domainHolders(this.#byDomain.get(own.domain)?.values() ?? []).get(own.domain);
    return holder && holder.key !== key ? holder : undefined;
  }

  claimants(domain: string | undefined): string[] {
    return domain === undefined ? [] : [...(this.#byDomain.get(domain)?.keys() ?? [])];
  }

  get size(): number {
    return this.#byKey.size;
  }
}

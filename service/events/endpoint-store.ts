// The booking app's endpoint per organization (URL, event type filter, signing secrets), kept in the
// tokens Secret (data key `events-endpoint.<hash>`) because the signing secrets are secrets: not in
// a ConfigMap. The tokens store keeps data keys that are not grants, and every write here is a
// compare-and-swap on the Secret's resourceVersion, so neither overwrites the other.
import { createHash } from "node:crypto";
import { retry } from "../../common/retry.ts";
import { readGrants } from "../../common/tenant/token-secret.ts";
import { type KubeAccess, KubeHttpError, rawRequest, resourcePath } from "../../common/kube/raw-client.ts";
import type { OutboundEventType } from "./event-types.ts";
import { newSigningSecret } from "./signing.ts";
import { unavailable } from "./shard-store.ts";

export const ENDPOINT_KEY_PREFIX = "events-endpoint.";

export interface SigningSecret {
  readonly secret: string;
  /** Epoch ms after which it no longer signs (a rotated-out secret's overlap); absent = current. */
  readonly expiresAt?: number;
}

export interface Endpoint {
  readonly organizationId: string;
  readonly url: string;
  /** Only these types are sent (others are skipped); null = every type. */
  readonly types: readonly OutboundEventType[] | null;
  readonly secrets: readonly SigningSecret[];
  readonly createdAt: string;
}

interface SecretObject {
  metadata: { resourceVersion?: string };
  data?: Record<string, string>;
}

export function endpointKey(organizationId: string): string {
  return `${ENDPOINT_KEY_PREFIX}${createHash("sha256").update(organizationId).digest("hex").slice(0, 32)}`;
}

/** The secrets that sign now: the current one and those still in their overlap. */
export function liveSecrets(endpoint: Endpoint, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > now).map((s) => s.secret);
}

export interface EndpointStoreProps {
  readonly kc: KubeAccess;
  readonly namespace: string;
  readonly tokensSecret: string;
  readonly now: () => number;
  readonly random?: (n: number) => Buffer;
  /** How long `list` answers from memory (the delivery loop asks every pass). Default 2 s. */
  readonly cacheMs?: number;
}

class Conflict extends Error {}

export function createEndpointStore(p: EndpointStoreProps) {
  const path = resourcePath("v1", "secrets", p.namespace, p.tokensSecret);
  let cached: { at: number; endpoints: Map<string, Endpoint> } | undefined;

  async function readSecret(): Promise<SecretObject> {
    try {
      return await rawRequest<SecretObject>(p.kc, { method: "GET", path });
    } catch (error) {
      // NB: no cause: the API server's answer about this Secret may echo its values
      throw unavailable("kubernetes", `The tokens Secret could not be read (${statusText(error)}).`);
    }
  }

  function parse(secret: SecretObject): Map<string, Endpoint> {
    const out = new Map<string, Endpoint>();
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      if (!key.startsWith(ENDPOINT_KEY_PREFIX)) continue;
      try {
        const e = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as Endpoint;
        out.set(e.organizationId, e);
      } catch {
        // NB: a value edited by hand is treated as absent
      }
    }
    return out;
  }

  /** Read, change one organization's endpoint, compare-and-swap; retried on conflict. */
  function change<T>(organizationId: string, fn: (current: Endpoint | undefined) => { next: Endpoint | undefined; result: T }) {
    return retry(
      async () => {
        const secret = await readSecret();
        const current = parse(secret).get(organizationId);
        const { next, result } = fn(current);
        if (next === current) return result;
        const data = { ...secret.data };
        const key = endpointKey(organizationId);
        if (next) data[key] = Buffer.from(JSON.stringify(next)).toString("base64");
        else delete data[key];
        try {
          await rawRequest(p.kc, { method: "PUT", path, body: { apiVersion: "v1", kind: "Secret", ...secret, data } });
        } catch (error) {
          if (error instanceof KubeHttpError && error.code === 409) throw new Conflict();
          throw unavailable("kubernetes", `The tokens Secret could not be written (${statusText(error)}).`);
        }
        cached = undefined;
        return result;
      },
      { attempts: 20, retryable: (e) => e instanceof Conflict, baseMs: 10, maxMs: 200, jitter: 1 },
    ).catch((error: unknown) => {
      if (error instanceof Conflict) throw unavailable("conflict", "The tokens Secret stayed contended; retry.");
      throw error;
    });
  }

  const pruned = (secrets: readonly SigningSecret[]) => secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > p.now());

  return {
    /** The organizations connected to a Zoom account, read over the pooled connection (the webhook's hot path). */
    async organizationsOf(accountId: string): Promise<string[]> {
      return readGrants((await readSecret()).data)
        .filter((g) => g.accountId === accountId)
        .map((g) => g.organizationId);
    },
    async get(organizationId: string): Promise<Endpoint | undefined> {
      return parse(await readSecret()).get(organizationId);
    },
    /**
     * The organization's endpoint for the delivery loop, from a cache of at most `cacheMs`. NB: a
     * miss is read again: "no endpoint" lets events count as delivered, so it must not be stale.
     */
    async forDelivery(organizationId: string): Promise<Endpoint | undefined> {
      const fresh = !cached || p.now() - cached.at >= (p.cacheMs ?? 2000) || !cached.endpoints.has(organizationId);
      if (fresh) cached = { at: p.now(), endpoints: parse(await readSecret()) };
      return cached?.endpoints.get(organizationId);
    },
    /** Creates or changes the endpoint; the signing secret is made (and answered) on creation only. */
    put(organizationId: string, want: { url: string; types: readonly OutboundEventType[] | null }) {
      return change(organizationId, (current) => {
        const secret = current ? undefined : newSigningSecret(p.random);
        const secrets = current ? pruned(current.secrets) : [{ secret: secret! }];
        const createdAt = current?.createdAt ?? new Date(p.now()).toISOString();
        const next: Endpoint = { organizationId, url: want.url, types: want.types, secrets, createdAt };
        return { next, result: { endpoint: next, created: !current, signingSecret: secret } };
      });
    },
    /** A new current secret; the previous one keeps signing for `overlapMs`. undefined: no endpoint. */
    rotate(organizationId: string, overlapMs: number) {
      return change(organizationId, (current) => {
        if (!current) return { next: undefined, result: undefined };
        const secret = newSigningSecret(p.random);
        const expiresAt = p.now() + overlapMs;
        const older = pruned(current.secrets).map((s) => ({ secret: s.secret, expiresAt: Math.min(s.expiresAt ?? expiresAt, expiresAt) }));
        const next: Endpoint = { ...current, secrets: [{ secret }, ...older.filter((s) => s.expiresAt > p.now())] };
        return { next, result: { endpoint: next, signingSecret: secret } };
      });
    },
    remove(organizationId: string) {
      return change(organizationId, (current) => ({ next: undefined, result: current !== undefined }));
    },
  };
}

export type EndpointStore = ReturnType<typeof createEndpointStore>;

function statusText(error: unknown): string {
  return error instanceof KubeHttpError ? `HTTP ${error.code}` : "network error";
}

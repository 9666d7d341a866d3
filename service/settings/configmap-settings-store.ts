import { createHash } from "node:crypto";
import { retry } from "../../common/retry.ts";
import { ErrorCode, KUBERNETES_RETRY_AFTER_SECONDS, ServiceError } from "../errors.ts";
import { type ShardClientSource, shardClient, statusCodeOf } from "../meetings/shard-client.ts";
import { decodeSettings, type OrganizationSettings, type OrganizationSettingsStore } from "./organization-settings.ts";

/**
 * Settings in the state ConfigMap `<name>-zoom-state`, one data key per organization
 * (`settings.<hash of the organization id>`), written by replace with the read resourceVersion
 * so a concurrent idempotency write is never lost (409 -> read again). Reads are cached for a few
 * seconds per replica: every create reads the host policy.
 */

export const SETTINGS_PREFIX = "settings.";
const CACHE_MS = 5_000;

/** `kc` (raw JSON, pooled connections: what the service uses) or `api`. */
export type ConfigMapSettingsStoreOptions = ShardClientSource & {
  readonly namespace: string;
  readonly name: string;
  readonly now?: () => number;
};

export function settingsKey(organizationId: string): string {
  return (
    SETTINGS_PREFIX +
    createHash("sha256")
      .update(organizationId)
      .digest("base64url")
      .slice(0, 40)
      .replace(/[^A-Za-z0-9_-]/g, "_")
  );
}

export function createConfigMapSettingsStore(options: ConfigMapSettingsStoreOptions): OrganizationSettingsStore {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly until: number; readonly settings: OrganizationSettings }>();
  const client = shardClient(options, options.namespace);
  const read = async () => {
    const map = await client.read(options.name).catch((error: unknown) => {
      throw unavailable("read", error);
    });
    if (!map) throw unavailable("read", new Error(`the ConfigMap ${options.name} does not exist`), 404);
    return map;
  };
  return {
    async get(organizationId) {
      const cached = cache.get(organizationId);
      if (cached && cached.until > now()) return cached.settings;
      const settings = decodeSettings((await read()).data?.[settingsKey(organizationId)]);
      cache.set(organizationId, { until: now() + CACHE_MS, settings });
      return settings;
    },
    async put(organizationId, settings) {
      const written = await retry(
        async () => {
          const map = await read();
          const body = { ...map, data: { ...(map.data ?? {}), [settingsKey(organizationId)]: JSON.stringify(settings) } };
          return client.replace(body).then(
            () => true,
            (error: unknown) => {
              if (statusCodeOf(error) === 409) return false;
              throw unavailable("write", error);
            },
          );
        },
        { attempts: 10, retryable: () => false, retryResult: (ok) => !ok, baseMs: 20, maxMs: 200 },
      );
      if (!written) throw unavailable("write", new Error("conflicts"));
      cache.set(organizationId, { until: now() + CACHE_MS, settings });
      return settings;
    },
  };
}

function unavailable(what: "read" | "write", cause: unknown, code = statusCodeOf(cause)): ServiceError {
  const status = code === undefined ? "network error" : `HTTP ${code}`;
  return new ServiceError(
    ErrorCode.IdempotencyStoreUnavailable,
    `The state ConfigMap could not be ${what === "read" ? "read" : "written"} (${status}).`,
    {
      details: { reason: "kubernetes" },
      cause,
      retryAfterSeconds: KUBERNETES_RETRY_AFTER_SECONDS,
    },
  );
}

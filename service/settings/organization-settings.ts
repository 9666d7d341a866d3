import { z } from "zod";

/**
 * Per-organization settings the booking app sets through the API. Not secret, so they live in
 * the tenant's state ConfigMap next to the idempotency records (configmap-settings-store.ts),
 * shared by every replica; route tests use the in-memory store.
 */

export const HostPolicy = z.enum(["admin", "required"]).meta({
  description:
    "Who hosts a booking that names no host: admin (default) = the Zoom admin who connected; required = nobody, the create is refused (400 naming body.host).",
});
export type HostPolicy = z.infer<typeof HostPolicy>;

export const OrganizationSettings = z.strictObject({ hostPolicy: HostPolicy });
export type OrganizationSettings = z.infer<typeof OrganizationSettings>;

export const DEFAULT_SETTINGS: OrganizationSettings = { hostPolicy: "admin" };

export interface OrganizationSettingsStore {
  /** The organization's settings, DEFAULT_SETTINGS when never set. */
  get(organizationId: string): Promise<OrganizationSettings>;
  put(organizationId: string, settings: OrganizationSettings): Promise<OrganizationSettings>;
}

/** A stored value read back: anything unreadable counts as the defaults (the API re-validates on put). */
export function decodeSettings(text: string | undefined): OrganizationSettings {
  if (text === undefined) return DEFAULT_SETTINGS;
  try {
    const parsed = OrganizationSettings.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  } catch {
    // NB: a damaged value reads as the defaults rather than blocking every create.
    return DEFAULT_SETTINGS;
  }
}

export function createMemorySettingsStore(): OrganizationSettingsStore {
  const stored = new Map<string, OrganizationSettings>();
  return {
    get: async (organizationId) => stored.get(organizationId) ?? DEFAULT_SETTINGS,
    async put(organizationId, settings) {
      stored.set(organizationId, settings);
      return settings;
    },
  };
}

// The parts of Zoom's app manifest schema the emulator checks (display_information, oauth_information,
// features.event_subscription), strictly: a missing or malformed field is a 300 naming it, as Zoom's
// validation errors do. Other manifest sections Zoom knows are accepted and kept as sent.
import { z } from "zod";
import type { FieldError } from "./errors.ts";

const httpsUrl = z.url({ protocol: /^https$/ });

const scope = z.strictObject({ scope: z.string().min(1).max(128), optional: z.boolean() });

const subscription = z.looseObject({
  subscription_name: z.string().min(1).max(128),
  event_types: z.array(z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/)).min(1),
  development_webhook_url: z.union([httpsUrl, z.literal("")]).optional(),
  production_webhook_url: httpsUrl,
});

export const manifestSchema = z
  .looseObject({
    display_information: z.looseObject({ display_name: z.string().min(1).max(50), description: z.string().max(4000).optional() }),
    oauth_information: z.looseObject({
      // NB: USER_OPERATION is in Zoom's example; ACCOUNT_OPERATION (admin-managed) is the emulator's reading.
      usage: z.enum(["USER_OPERATION", "ACCOUNT_OPERATION"]),
      development_redirect_uri: z.union([httpsUrl, z.literal("")]).optional(),
      production_redirect_uri: httpsUrl,
      oauth_allow_list: z.array(httpsUrl).min(1),
      strict_mode: z.boolean().optional(),
      subdomain_strict_mode: z.boolean().optional(),
      scopes: z.array(scope).min(1),
      scope_description: z.string().max(4000).optional(),
    }),
    features: z
      .looseObject({
        event_subscription: z.looseObject({ enable: z.boolean(), events: z.array(subscription).max(20) }).optional(),
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    const covered = m.oauth_information.oauth_allow_list.some((prefix) => m.oauth_information.production_redirect_uri.startsWith(prefix));
    if (!covered) ctx.addIssue({ code: "custom", path: ["oauth_information", "oauth_allow_list"], message: "must cover the redirect URI" });
  });

export type Manifest = z.output<typeof manifestSchema>;

/** The manifest, or Zoom-style field errors (`oauth_information.scopes[0].scope`). */
export function validateManifest(value: unknown): { manifest: Manifest } | { errors: FieldError[] } {
  const parsed = manifestSchema.safeParse(value);
  if (parsed.success) return { manifest: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    field: ["manifest", ...issue.path]
      .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
      .join(".")
      .replace(/\.\[/g, "["),
    message: issue.message,
  }));
  return { errors };
}

/** What an admin's consent and the token endpoint read from a manifest. */
export function oauthSettings(m: Manifest): { redirectUrl: string; allowList: string[]; scopes: string[]; eventTypes: string[] } {
  return {
    redirectUrl: m.oauth_information.production_redirect_uri,
    allowList: [...m.oauth_information.oauth_allow_list],
    scopes: m.oauth_information.scopes.map((s) => s.scope),
    eventTypes: (m.features?.event_subscription?.events ?? []).flatMap((e) => e.event_types),
  };
}

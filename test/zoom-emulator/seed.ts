import { z } from "zod";

/**
 * The emulator's world: accounts with their users, and OAuth apps owned by an account. Parsed once
 * by zod, so a bad seed fails at start-up with every problem listed.
 */
/** A host's passcode rules, as `GET /users/{id}/settings` reports them (Zoom's field names). */
export const passwordRequirementSchema = z.object({
  length: z.number().int().min(0).max(10).default(6),
  have_letter: z.boolean().default(false),
  have_number: z.boolean().default(false),
  have_special_character: z.boolean().default(false),
  have_upper_and_lower_characters: z.boolean().default(false),
  only_allow_numeric: z.boolean().default(false),
  consecutive_characters_length: z.number().int().min(0).default(0),
  weak_enhance_detection: z.boolean().default(false),
});

const passcodeSettingsSchema = z.object({
  /** `schedule_meeting.require_password_for_scheduling_new_meetings`. */
  requireForNewMeetings: z.boolean().default(true),
  /** The setting is locked by the admin: Zoom then fills a passcode in even when none is asked for. */
  locked: z.boolean().default(false),
  /** `schedule_meeting.default_password_for_scheduled_meetings`; absent: generated per `requirement`. */
  defaultPassword: z.string().optional(),
  requirement: passwordRequirementSchema.default(passwordRequirementSchema.parse({})),
});

const dialInSchema = z.object({
  country: z.string().length(2),
  country_name: z.string(),
  city: z.string().optional(),
  number: z.string(),
  type: z.enum(["toll", "tollfree"]),
});

const DEFAULT_DIAL_IN = [
  { country: "US", country_name: "US", city: "New York", number: "+1 646 558 8656", type: "toll" as const },
  { country: "DE", country_name: "Germany", city: "Frankfurt", number: "+49 69 7104 9922", type: "toll" as const },
];

const userSchema = z.object({
  id: z.string().min(1),
  email: z.email(),
  firstName: z.string().default("Test"),
  lastName: z.string().default("User"),
  /** Owners and admins may authorize admin-scoped apps; members only user-scoped ones. */
  role: z.enum(["owner", "admin", "member"]).default("member"),
  /** IANA zone; defaults to the account's. */
  timezone: z.string().optional(),
  /** Zoom's user `type`: 1 basic (meetings end after 40 minutes with 3+ people), 2 licensed. */
  type: z.union([z.literal(1), z.literal(2)]).default(2),
  /** `inactive` (deactivated) and `pending` (invited, not yet joined) users cannot host. */
  status: z.enum(["active", "inactive", "pending"]).default("active"),
  passcode: passcodeSettingsSchema.default(passcodeSettingsSchema.parse({})),
  /** What `settings.meeting_authentication` is when a create does not send it (inherited). */
  meetingAuthentication: z.boolean().default(false),
});

const accountSchema = z.object({
  id: z.string().min(1),
  name: z.string().default("Test account"),
  /** The account time zone: used for meetings created without `Z` and without `timezone`. */
  timezone: z.string().default("UTC"),
  /** Decides the per-second limits (ZOOM.md "Rate limits"). */
  plan: z.enum(["pro", "business"]).default("pro"),
  /** "password may be absent on some accounts": false makes meetings without a password. */
  meetingPasswords: z.boolean().default(true),
  /** `settings.global_dial_in_numbers` of every meeting hosted in the account. */
  dialInNumbers: z.array(dialInSchema).default(DEFAULT_DIAL_IN),
  users: z.array(userSchema).min(1),
});

const appSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The webhook Secret Token: the HMAC key of every event (not the client secret). */
  secretToken: z.string().min(1),
  name: z.string().default("Booking integration"),
  accountId: z.string().min(1),
  redirectUrl: z.url(),
  allowList: z.array(z.url()).default([]),
  /** Classic (`meeting:write:admin`) or granular (`meeting:write:meeting:admin`) names. */
  scopes: z.array(z.string().min(1)).min(1),
  /** Unpublished apps may only be authorized by users of the owning account. */
  published: z.boolean().default(false),
  /** Where events (`endpoint.url_validation`, `app_deauthorized`) are sent. */
  eventUrl: z.url().optional(),
});

export const seedSchema = z
  .object({ accounts: z.array(accountSchema).min(1), apps: z.array(appSchema).default([]) })
  .superRefine((seed, ctx) => {
    const accounts = new Set(seed.accounts.map((a) => a.id));
    const userIds = seed.accounts.flatMap((a) => a.users.map((u) => u.id));
    if (new Set(userIds).size !== userIds.length) ctx.addIssue({ code: "custom", message: "user ids must be unique" });
    seed.apps.forEach((app, i) => {
      if (!accounts.has(app.accountId))
        ctx.addIssue({ code: "custom", path: ["apps", i, "accountId"], message: `no account ${app.accountId}` });
      const covered = app.allowList.length === 0 || app.allowList.some((prefix) => app.redirectUrl.startsWith(prefix));
      if (!covered) ctx.addIssue({ code: "custom", path: ["apps", i, "allowList"], message: "the redirect URL is not on the allow list" });
    });
  });

export type SeedInput = z.input<typeof seedSchema>;
export type Seed = z.output<typeof seedSchema>;
export type SeedAccount = Seed["accounts"][number];
export type SeedUser = SeedAccount["users"][number];
export type SeedApp = Seed["apps"][number];
export type PasswordRequirement = z.output<typeof passwordRequirementSchema>;
export type PasscodeSettings = z.output<typeof passcodeSettingsSchema>;
export type DialInNumber = z.output<typeof dialInSchema>;
export const userSeedSchema = userSchema;

export const CLASSIC_SCOPES = ["meeting:read:admin", "meeting:write:admin", "user:read:admin"];
export const GRANULAR_SCOPES = [
  "meeting:read:meeting:admin",
  "meeting:write:meeting:admin",
  "meeting:update:meeting:admin",
  "meeting:delete:meeting:admin",
  "user:read:user:admin",
  "user:read:list_users:admin",
];

const ACME_REDIRECT = "https://app.acme.example/organization/integration/zoom/redirect";

/**
 * The default world: "acme" owns a classic and a granular app (the ARCHITECTURE.md model);
 * "globex" is a second account (business plan) with its own app, whose users must not be able to
 * authorize acme's unpublished apps.
 */
export const DEFAULT_SEED: SeedInput = {
  accounts: [
    {
      id: "acme-account",
      name: "Acme",
      timezone: "Europe/Berlin",
      users: [
        { id: "acme-owner", email: "owner@acme.example", firstName: "Olive", lastName: "Owner", role: "owner" },
        { id: "acme-admin", email: "admin@acme.example", firstName: "Ada", lastName: "Admin", role: "admin" },
        { id: "acme-member", email: "member@acme.example", firstName: "Max", lastName: "Member" },
      ],
    },
    {
      id: "globex-account",
      name: "Globex",
      timezone: "America/New_York",
      plan: "business",
      users: [{ id: "globex-admin", email: "admin@globex.example", role: "admin" }],
    },
  ],
  apps: [
    {
      clientId: "acme-client",
      clientSecret: "acme-secret",
      secretToken: "acme-webhook-secret",
      accountId: "acme-account",
      redirectUrl: ACME_REDIRECT,
      allowList: ["https://app.acme.example"],
      scopes: CLASSIC_SCOPES,
    },
    {
      clientId: "acme-granular-client",
      clientSecret: "acme-granular-secret",
      secretToken: "acme-granular-webhook-secret",
      accountId: "acme-account",
      redirectUrl: ACME_REDIRECT,
      allowList: ["https://app.acme.example"],
      scopes: GRANULAR_SCOPES,
    },
    {
      clientId: "globex-client",
      clientSecret: "globex-secret",
      secretToken: "globex-webhook-secret",
      accountId: "globex-account",
      redirectUrl: "https://app.globex.example/organization/integration/zoom/redirect",
      allowList: ["https://app.globex.example"],
      scopes: CLASSIC_SCOPES,
    },
  ],
};

export function parseSeed(input: SeedInput): Seed {
  const parsed = seedSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "seed"}: ${i.message}`);
  throw new Error(`invalid Zoom emulator seed:\n  ${problems.join("\n  ")}`);
}

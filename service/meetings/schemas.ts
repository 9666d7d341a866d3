import { z } from "zod";
import { INSTANT_PATTERN, isTimeZone, LOCAL_PATTERN } from "./meeting-time.ts";

/**
 * The booking app's contract for meetings, written once: handlers parse with these, the OpenAPI
 * document is generated from them, the typed client uses their types. Objects are strict (unknown
 * fields are refused) so a typo in the booking app fails loudly instead of being ignored.
 */

export const OrganizationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "letters, digits and . _ : - (1-128 characters)")
  .meta({ description: "The booking app's organization whose Zoom connection is used." });

export const MeetingId = z
  .string()
  .regex(/^\d{1,20}$/, "a Zoom meeting id: decimal digits")
  .meta({
    description: "Zoom's int64 meeting id, always a string (it may exceed 2^53).",
  });

const TimeZone = z
  .string()
  .refine(isTimeZone, "an IANA time zone, e.g. Europe/Berlin")
  .meta({ description: "IANA time zone of the meeting." });
const StartLocal = z.string().regex(LOCAL_PATTERN, "yyyy-MM-ddTHH:mm[:ss] without offset").meta({
  description: "Wall-clock start in timeZone. A time that does not exist or exists twice there is refused (AMBIGUOUS_TIME).",
});
const StartInstant = z.string().regex(INSTANT_PATTERN, "an instant with Z or an offset, e.g. 2026-03-29T00:30:00Z").meta({
  description: "Start as an instant (Z or offset); use it to pick one side of a fall-back overlap.",
});
const Topic = z.string().trim().min(1).max(200);
const Agenda = z.string().max(2000);
const Duration = z.number().int().min(1).max(1440).meta({ description: "Minutes." });

export const MeetingSettings = z.strictObject({
  waitingRoom: z.boolean().optional(),
  joinBeforeHost: z.boolean().optional(),
  muteOnEntry: z.boolean().optional(),
  autoRecording: z.enum(["none", "local", "cloud"]).optional(),
});

export const PasswordPolicy = z
  .discriminatedUnion("policy", [
    z.strictObject({ policy: z.literal("accountDefault") }),
    z.strictObject({ policy: z.literal("generated") }),
    z.strictObject({ policy: z.literal("custom"), value: z.string().regex(/^[a-zA-Z0-9@\-_*]{1,10}$/, "1-10 of [a-zA-Z0-9@-_*]") }),
  ])
  .meta({
    description:
      "accountDefault (default): Zoom applies the account's passcode rules; generated: 10 random characters; custom: this value.",
  });

function oneStart(value: { startLocal?: string | undefined; startInstant?: string | undefined }, ctx: z.RefinementCtx): void {
  if (value.startLocal !== undefined && value.startInstant !== undefined)
    ctx.addIssue({ code: "custom", path: ["startInstant"], message: "give startLocal or startInstant, not both" });
}

export const CreateMeetingRequest = z
  .strictObject({
    organizationId: OrganizationId,
    bookingId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "1-128 of [A-Za-z0-9._:-]"),
    host: z.string().min(1).max(128).optional().meta({ description: "Zoom user id or e-mail; default: the admin who connected." }),
    topic: Topic,
    startLocal: StartLocal.optional(),
    startInstant: StartInstant.optional(),
    timeZone: TimeZone,
    durationMinutes: Duration,
    agenda: Agenda.optional(),
    settings: MeetingSettings.optional(),
    password: PasswordPolicy.optional(),
  })
  .superRefine((value, ctx) => {
    oneStart(value, ctx);
    if (value.startLocal === undefined && value.startInstant === undefined)
      ctx.addIssue({ code: "custom", path: ["startLocal"], message: "give startLocal or startInstant" });
  });
export type CreateMeetingRequest = z.infer<typeof CreateMeetingRequest>;

export const UpdateMeetingRequest = z
  .strictObject({
    organizationId: OrganizationId,
    topic: Topic.optional(),
    agenda: Agenda.optional(),
    startLocal: StartLocal.optional(),
    startInstant: StartInstant.optional(),
    timeZone: TimeZone.optional(),
    durationMinutes: Duration.optional(),
    settings: MeetingSettings.optional(),
  })
  .superRefine((value, ctx) => {
    oneStart(value, ctx);
    const moved = value.startLocal !== undefined || value.startInstant !== undefined;
    if (moved !== (value.timeZone !== undefined))
      ctx.addIssue({ code: "custom", path: ["timeZone"], message: "a new start needs timeZone, and timeZone needs a new start" });
    const { organizationId: _, ...changes } = value;
    if (Object.values(changes).every((v) => v === undefined)) ctx.addIssue({ code: "custom", path: [], message: "nothing to change" });
  });
export type UpdateMeetingRequest = z.infer<typeof UpdateMeetingRequest>;

export const OrganizationQuery = z.strictObject({ organizationId: OrganizationId });
export const MeetingParams = z.strictObject({ id: MeetingId });

export const Meeting = z.object({
  id: MeetingId,
  topic: z.string(),
  agenda: z.string(),
  hostId: z.string(),
  hostEmail: z.string(),
  startInstant: z.string().meta({ description: "UTC, e.g. 2026-03-29T01:30:00Z." }),
  startLocal: z.string().meta({ description: "Wall-clock start in timeZone." }),
  timeZone: z.string(),
  durationMinutes: z.number().int(),
  joinUrl: z.string(),
  startUrl: z.string().meta({ description: "For the host; Zoom lets it expire after 2 hours: GET the meeting for a fresh one." }),
  password: z.string().nullable(),
  settings: z.object({ waitingRoom: z.boolean(), joinBeforeHost: z.boolean(), muteOnEntry: z.boolean(), autoRecording: z.string() }),
  status: z.string(),
});
export type Meeting = z.infer<typeof Meeting>;

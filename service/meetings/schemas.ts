import { z } from "zod";
import { JoinDetails } from "./join-details.ts";
import { INSTANT_PATTERN, isRealDateTime, isTimeZone, LOCAL_PATTERN, timeZoneProblem } from "./meeting-time.ts";
import { Occurrence, Recurrence } from "./recurrence.ts";

/**
 * The booking app's contract for meetings, written once: handlers parse with these, the OpenAPI
 * document is generated from them, the typed client uses their types. Objects are strict (unknown
 * fields are refused) so a typo in the booking app fails loudly instead of being ignored.
 */

/** NB: the one organization grammar of every route (path, query and body): a route with its own would let an id reach storage that others refuse. */
export const OrganizationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "1-128 letters, digits and . _ : - starting with a letter or digit")
  .meta({ description: "The booking app's organization whose Zoom connection is used.", examples: ["acme"] });

export const MeetingId = z
  .string()
  .regex(/^\d{1,20}$/, "a Zoom meeting id: decimal digits")
  .meta({
    description: "Zoom's int64 meeting id, always a string (it may exceed 2^53).",
  });

const NO_ROLL_OVER =
  "a date and time that exists (month 01-12, a day of that month, hour 00-23, minute and second 00-59, offset up to 23:59)";
export const TimeZone = z
  .string()
  .superRefine((zone, ctx) => {
    if (!isTimeZone(zone)) ctx.addIssue({ code: "custom", message: timeZoneProblem(zone) });
  })
  .meta({
    description:
      "Canonical IANA time zone of the meeting, e.g. Europe/Berlin; aliases (US/Eastern), offsets and other spellings are refused.",
  });
const StartLocal = z.string().regex(LOCAL_PATTERN, "yyyy-MM-ddTHH:mm[:ss] without offset").refine(isRealDateTime, NO_ROLL_OVER).meta({
  description:
    "Wall-clock start in timeZone. A time that does not exist or exists twice there is refused (AMBIGUOUS_TIME). A start in the past is accepted (Zoom accepts it; the booking app owns that policy).",
});
/** An instant with Z or an offset; impossible parts (a 30th of February, 24:61) are refused, never rolled over. */
export const Instant = z
  .string()
  .regex(INSTANT_PATTERN, "an instant with Z or an offset, e.g. 2026-03-29T00:30:00Z")
  .refine(isRealDateTime, NO_ROLL_OVER);
const StartInstant = Instant.meta({
  description: "Start as an instant (Z or offset); use it to pick one side of a fall-back overlap. A start in the past is accepted.",
});
const Topic = z.string().trim().min(1).max(200);
const Agenda = z.string().max(2000);
const Duration = z.number().int().min(1).max(1440).meta({ description: "Minutes." });

export const MeetingSettings = z.strictObject({
  waitingRoom: z.boolean().optional(),
  joinBeforeHost: z.boolean().optional(),
  muteOnEntry: z.boolean().optional(),
  autoRecording: z.enum(["none", "local", "cloud"]).optional(),
  meetingAuthentication: z.boolean().optional().meta({
    description:
      "Only signed-in Zoom users may join. Default false (sent explicitly): booking clients are external and often have no Zoom account.",
  }),
});

const Host = z
  .string()
  .min(1)
  .max(128)
  .meta({ description: "Zoom user id or e-mail of a licensed, active user of the connected account." });
const AlternativeHosts = z
  .array(z.email())
  .max(20)
  .meta({ description: "E-mails of licensed users of the same account who may start the meeting (replaces the list)." });
const OccurrenceId = z.string().regex(/^\d{1,20}$/, "an occurrence id: decimal digits");

export const PasswordPolicy = z
  .discriminatedUnion("policy", [
    z.strictObject({ policy: z.literal("accountDefault") }),
    z.strictObject({ policy: z.literal("generated") }),
    z.strictObject({ policy: z.literal("custom"), value: z.string().regex(/^[a-zA-Z0-9@\-_*]{1,10}$/, "1-10 of [a-zA-Z0-9@-_*]") }),
  ])
  .meta({
    description:
      "accountDefault (default): Zoom sets the account's default passcode (default_password: true); generated: random, following the host's passcode requirements (length, character classes, numeric-only); custom: this value.",
  });

function oneStart(value: { startLocal?: string | undefined; startInstant?: string | undefined }, ctx: z.RefinementCtx): void {
  if (value.startLocal !== undefined && value.startInstant !== undefined)
    ctx.addIssue({ code: "custom", path: ["startInstant"], message: "give startLocal or startInstant, not both" });
}

export const CreateMeetingRequest = z
  .strictObject({
    organizationId: OrganizationId,
    bookingId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "1-128 of [A-Za-z0-9._:-]"),
    host: Host.optional().meta({
      description: "Zoom user id or e-mail; default by the organization's hostPolicy (admin: the admin who connected; required: refused).",
    }),
    alternativeHosts: AlternativeHosts.optional(),
    recurrence: Recurrence.optional(),
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
    occurrenceId: OccurrenceId.optional().meta({
      description: "Change only this occurrence of a series (start, duration, agenda, settings).",
    }),
    host: Host.optional().meta({
      description:
        "A new host: Zoom cannot move a meeting, so the service creates it for the new host and deletes the old one: the answer has a new id.",
    }),
    alternativeHosts: AlternativeHosts.optional(),
    recurrence: Recurrence.optional().meta({ description: "A new rule for the whole series." }),
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
    const { organizationId: _, occurrenceId: __, ...changes } = value;
    if (Object.values(changes).every((v) => v === undefined)) ctx.addIssue({ code: "custom", path: [], message: "nothing to change" });
    if (value.occurrenceId !== undefined)
      for (const field of ["host", "alternativeHosts", "recurrence", "topic"] as const)
        if (value[field] !== undefined)
          ctx.addIssue({ code: "custom", path: [field], message: "applies to the whole series, not one occurrence" });
    if (value.host !== undefined && value.recurrence !== undefined)
      ctx.addIssue({ code: "custom", path: ["recurrence"], message: "change the host and the rule in two requests" });
  });
export type UpdateMeetingRequest = z.infer<typeof UpdateMeetingRequest>;

export const OrganizationQuery = z.strictObject({ organizationId: OrganizationId });

const QueryBoolean = z.enum(["true", "false"]).transform((v) => v === "true");
export const DeleteMeetingQuery = z.strictObject({
  organizationId: OrganizationId,
  occurrenceId: OccurrenceId.optional().meta({ description: "Cancel only this occurrence of a series." }),
  notifyHost: QueryBoolean.optional().meta({
    description:
      "Zoom e-mails the host and alternative hosts about the cancellation (schedule_for_reminder). Default false: the booking app tells people itself.",
  }),
  notifyRegistrants: QueryBoolean.optional().meta({
    description: "Zoom e-mails the meeting's registrants (cancel_meeting_reminder). Default false.",
  }),
});
export type DeleteMeetingQuery = z.infer<typeof DeleteMeetingQuery>;
export const MeetingParams = z.strictObject({ id: MeetingId });

export const Meeting = z.object({
  id: MeetingId,
  type: z.enum(["single", "recurring"]),
  topic: z.string(),
  agenda: z.string(),
  hostId: z.string(),
  hostEmail: z.string(),
  startInstant: z.string().meta({ description: "UTC, e.g. 2026-03-29T01:30:00Z." }),
  startLocal: z.string().meta({ description: "Wall-clock start in timeZone." }),
  timeZone: z.string(),
  durationMinutes: z.number().int(),
  recurrence: Recurrence.nullable(),
  occurrences: z
    .array(Occurrence)
    .meta({ description: "A series' occurrences (cancelled ones with status deleted); empty for a single meeting." }),
  joinUrl: z.string(),
  startUrl: z.string().meta({ description: "For the host; Zoom lets it expire after 2 hours: GET the meeting for a fresh one." }),
  password: z.string().nullable(),
  alternativeHosts: z.array(z.string()),
  settings: z.object({
    waitingRoom: z.boolean(),
    joinBeforeHost: z.boolean(),
    muteOnEntry: z.boolean(),
    autoRecording: z.string(),
    meetingAuthentication: z.boolean(),
  }),
  joinDetails: JoinDetails,
  invitation: z.string().nullable().meta({ description: "Zoom's invitation text, ready for an e-mail; null if Zoom did not give it." }),
  status: z.string(),
});
export type Meeting = z.infer<typeof Meeting>;

// The events the service tells the booking app about: their types, their `data` (zod, so the
// OpenAPI document's `webhooks` and the handlers share one definition) and the CloudEvents 1.0
// envelope they travel in (structured JSON mode).
import { z } from "zod";

export const OUTBOUND_EVENT_TYPES = [
  "connection.connected",
  "connection.reauthorization_required",
  "connection.deauthorized",
  "connection.scopes_missing",
  "meeting.created",
  "meeting.updated",
  "meeting.deleted",
  "meeting.started",
  "meeting.ended",
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];
export const OutboundEventTypeSchema = z.enum(OUTBOUND_EVENT_TYPES);

const organizationId = z.string().meta({ description: "The booking app's organization the event is about." });

export const ConnectionEventData = z.object({
  organizationId,
  accountId: z.string().optional(),
  state: z.enum(["Connected", "MissingScopes", "ReauthorizationRequired", "NotConnected"]),
  missingScopes: z.array(z.string()).optional(),
  reason: z.string().optional().meta({ description: "Why reauthorization is required (Zoom's error), when it is." }),
});

export const DeauthorizedEventData = z.object({
  organizationId,
  accountId: z.string(),
  deauthorizedAt: z.string().meta({ description: "When Zoom reported the app uninstalled (RFC 3339)." }),
  userDataRetention: z.boolean().meta({ description: "Zoom's user_data_retention: true = the user allowed keeping their Zoom data." }),
  deleteZoomDataBy: z.string().nullable().meta({
    description:
      "Zoom's rule: unless userDataRetention is true, delete the account's Zoom data (join URLs, host e-mails, meeting ids) by this time, 10 days after deauthorization; null when retention was allowed.",
  }),
});

export const MeetingEventData = z.object({
  organizationId,
  accountId: z.string(),
  meetingId: z.string().meta({ description: "Zoom's meeting id, as decimal digits (it may exceed 2^53)." }),
  uuid: z.string().optional().meta({ description: "The meeting instance (Zoom's uuid)." }),
  hostId: z.string().optional(),
  topic: z.string().optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional().meta({ description: "meeting.ended only." }),
  durationMinutes: z.number().optional(),
  timezone: z.string().optional(),
  occurrenceIds: z
    .array(z.string())
    .optional()
    .meta({ description: "The occurrences concerned, when the change was to some of a series." }),
  changedFields: z.array(z.string()).optional().meta({ description: "meeting.updated: the Zoom fields that changed." }),
  participantCount: z.number().int().nullable().optional().meta({
    description:
      "meeting.ended: Zoom's webhook carries no participant count, so this is null (see service/README.md, events); read GET /past_meetings/{uuid} at Zoom for it.",
  }),
  operator: z.string().optional().meta({ description: "Who made the change in Zoom (e-mail), when Zoom says." }),
});

export type ConnectionEventData = z.infer<typeof ConnectionEventData>;
export type DeauthorizedEventData = z.infer<typeof DeauthorizedEventData>;
export type MeetingEventData = z.infer<typeof MeetingEventData>;
export type EventData = ConnectionEventData | DeauthorizedEventData | MeetingEventData;

/** One event as recorded: `seq` orders an organization's events, `id` is stable across redeliveries. */
export interface RecordedEvent {
  readonly seq: number;
  readonly id: string;
  readonly type: OutboundEventType;
  /** Epoch ms the event was recorded (retention and delivery latency are counted from it). */
  readonly at: number;
  /** When it happened (RFC 3339): Zoom's event time for Zoom's events. */
  readonly time: string;
  readonly subject: string;
  readonly data: EventData;
}

/** What a producer hands in; seq and `at` are assigned when it is recorded. */
export type NewEvent = Omit<RecordedEvent, "seq" | "at">;

export const CloudEvent = z.object({
  specversion: z.literal("1.0"),
  id: z.string().meta({ description: "Stable across redeliveries: de-duplicate on it (also the webhook-id header)." }),
  source: z.string().meta({ description: "/zoom-integrations/<namespace>/<name>: the tenant's service." }),
  type: OutboundEventTypeSchema,
  time: z.string(),
  subject: z.string().meta({ description: "connection, or meetings/<meeting id>." }),
  datacontenttype: z.literal("application/json"),
  sequence: z.string().meta({ description: "The event's position in its organization's log (decimal), increasing." }),
  data: z.union([MeetingEventData, DeauthorizedEventData, ConnectionEventData]),
});
export type CloudEvent = z.infer<typeof CloudEvent>;

export function toCloudEvent(source: string, e: RecordedEvent): CloudEvent {
  return {
    specversion: "1.0",
    id: e.id,
    source,
    type: e.type,
    time: e.time,
    subject: e.subject,
    datacontenttype: "application/json",
    sequence: String(e.seq),
    data: e.data,
  };
}

/** The data schema of each type (the OpenAPI document's webhooks). */
export function dataSchemaOf(type: OutboundEventType): z.ZodType {
  if (type === "connection.deauthorized") return DeauthorizedEventData;
  return type.startsWith("meeting.") ? MeetingEventData : ConnectionEventData;
}

// Zoom's webhook events (ZOOM.md) turned into the booking app's events, one per organization
// connected to the Zoom account the event is about. Ids are derived from Zoom's event (type, time
// and payload), so Zoom's retry of a delivery we already recorded is recognised (appendEvents skips
// a known id).
import { createHash } from "node:crypto";
import { z } from "zod";
import { ZOOM_EVENT_TYPES, type ZoomEventType } from "../../common/tenant/zoom-event-types.ts";
import { meetingIdOf } from "../zoom/zoom-json.ts";
import type { DeauthorizedEventData, MeetingEventData, NewEvent, OutboundEventType } from "./event-types.ts";

/** Zoom's rule: without user_data_retention, the account's Zoom data goes within 10 days. */
export const DATA_DELETION_DAYS = 10;

const MeetingObject = z.looseObject({
  id: z.union([z.string(), z.number()]),
  uuid: z.string().optional(),
  host_id: z.string().optional(),
  topic: z.string().optional(),
  start_time: z.string().optional(),
  end_time: z.string().optional(),
  duration: z.number().optional(),
  timezone: z.string().optional(),
  occurrences: z.array(z.looseObject({ occurrence_id: z.union([z.string(), z.number()]) })).optional(),
});

type MeetingEventType = Exclude<ZoomEventType, "app_deauthorized">;
/** The meeting events of the one list (common/tenant/zoom-event-types.ts). */
const MEETING_EVENT_TYPES = ZOOM_EVENT_TYPES.filter((t): t is MeetingEventType => t !== "app_deauthorized");

export const ZoomMeetingEvent = z.object({
  event: z.enum(MEETING_EVENT_TYPES as [MeetingEventType, ...MeetingEventType[]]),
  event_ts: z.number(),
  payload: z.object({
    account_id: z.string().min(1),
    operator: z.string().optional(),
    object: MeetingObject,
  }),
});
export type ZoomMeetingEvent = z.infer<typeof ZoomMeetingEvent>;

export const ZoomDeauthorization = z.object({
  event: z.literal("app_deauthorized"),
  event_ts: z.number().optional(),
  payload: z.object({
    account_id: z.string().min(1),
    user_id: z.string().optional(),
    deauthorization_time: z.string().optional(),
    // NB: Zoom has sent it as a string ("false") and as a boolean; absent = no retention allowed.
    user_data_retention: z.union([z.boolean(), z.enum(["true", "false"])]).optional(),
  }),
});
export type ZoomDeauthorization = z.infer<typeof ZoomDeauthorization>;

/** The outbound type of each Zoom event type the service handles (the one list in common/tenant). */
export const OUTBOUND_OF: Readonly<Record<ZoomEventType, OutboundEventType>> = {
  app_deauthorized: "connection.deauthorized",
  "meeting.created": "meeting.created",
  "meeting.updated": "meeting.updated",
  "meeting.deleted": "meeting.deleted",
  "meeting.started": "meeting.started",
  "meeting.ended": "meeting.ended",
};

/** Fields of an update's `object` that are not changes but the meeting's identity. */
const IDENTITY_FIELDS = new Set(["id", "uuid", "occurrences"]);

export function stableId(...parts: readonly string[]): string {
  return `evt_${createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 27)}`;
}

/** One event per organization; undefined when the meeting id is unreadable. */
export function meetingEvents(e: ZoomMeetingEvent, organizations: readonly string[]): NewEvent[] | undefined {
  const o = e.payload.object;
  const meetingId = meetingIdOf(o.id);
  if (!meetingId) return undefined;
  const occurrenceIds = o.occurrences?.map((x) => String(x.occurrence_id));
  const fields: Omit<MeetingEventData, "organizationId"> = {
    accountId: e.payload.account_id,
    meetingId,
    ...defined({
      uuid: o.uuid,
      hostId: o.host_id,
      topic: o.topic,
      startTime: o.start_time,
      timezone: o.timezone,
      operator: e.payload.operator,
    }),
    ...(o.duration !== undefined ? { durationMinutes: o.duration } : {}),
    ...(occurrenceIds ? { occurrenceIds } : {}),
    ...(e.event === "meeting.updated"
      ? {
          changedFields: Object.keys(o)
            .filter((k) => !IDENTITY_FIELDS.has(k))
            .sort(),
        }
      : {}),
    ...(e.event === "meeting.ended" ? { ...defined({ endTime: o.end_time }), participantCount: null } : {}),
  };
  const time = new Date(e.event_ts).toISOString();
  return organizations.map((organizationId) => ({
    // NB: Zoom's retry repeats the body; two different changes within one millisecond differ in it
    id: stableId(organizationId, e.event, String(e.event_ts), JSON.stringify(e.payload)),
    type: OUTBOUND_OF[e.event],
    time,
    subject: `meetings/${meetingId}`,
    data: { organizationId, ...fields },
  }));
}

export function deauthorizedEvent(e: ZoomDeauthorization, organizationId: string, now: number): NewEvent {
  const parsed = e.payload.deauthorization_time ? Date.parse(e.payload.deauthorization_time) : Number.NaN;
  const at = Number.isNaN(parsed) ? now : parsed;
  const retention = e.payload.user_data_retention === true || e.payload.user_data_retention === "true";
  const data: DeauthorizedEventData = {
    organizationId,
    accountId: e.payload.account_id,
    deauthorizedAt: new Date(at).toISOString(),
    userDataRetention: retention,
    deleteZoomDataBy: retention ? null : new Date(at + DATA_DELETION_DAYS * 86_400_000).toISOString(),
  };
  return {
    id: stableId(organizationId, e.event, e.payload.account_id, data.deauthorizedAt),
    type: "connection.deauthorized",
    time: data.deauthorizedAt,
    subject: "connection",
    data,
  };
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

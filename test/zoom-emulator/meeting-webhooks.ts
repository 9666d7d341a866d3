// Zoom's meeting events (ZOOM.md "Meeting webhooks"), sent signed to the app's event URL as Zoom
// does: what a host does in Zoom itself (edit, delete, start, end a meeting) changes the emulator's
// meeting and announces it. Payloads follow Zoom's event reference: `payload.account_id`,
// `payload.operator` (e-mail, for created/updated/deleted), `payload.object` with the meeting's
// `id` (a raw int64 JSON number: never quoted), `uuid`, `host_id`, `topic`, `type`, `start_time`,
// `duration`, `timezone`; meeting.updated sends only the changed fields in `object` and their
// previous values in `old_object`; meeting.ended adds `end_time`.
// NB (Zoom's reference): no meeting event carries a participant count; Zoom gives it through
// meeting.participant_joined/left or GET /past_meetings/{uuid} (participants_count), which the
// emulator does not implement yet.
import type { EmulatorContext } from "./context.ts";
import type { Meeting } from "./store.ts";
import type { Delivery, WebhookTarget, Webhooks } from "./webhooks.ts";
import { formatUtc } from "./zoom-time.ts";

export type MeetingEventName = "meeting.created" | "meeting.updated" | "meeting.deleted" | "meeting.started" | "meeting.ended";

/** An edit made in Zoom's own UI (Zoom's field names); applied to the meeting, then announced. */
export interface ZoomSideEdit {
  readonly topic?: string;
  readonly start_time?: string;
  readonly duration?: number;
}

export interface MeetingWebhooks {
  /** Announces the meeting's current state (created, started, ended, deleted), changing its status to match. */
  send(clientId: string, event: Exclude<MeetingEventName, "meeting.updated">, meetingId: string, target?: WebhookTarget): Promise<Delivery>;
  /** The host edits the meeting in Zoom: it changes, and meeting.updated carries the change. */
  edit(clientId: string, meetingId: string, edit: ZoomSideEdit, target?: WebhookTarget): Promise<Delivery>;
}

const WITH_OPERATOR = new Set<MeetingEventName>(["meeting.created", "meeting.updated", "meeting.deleted"]);

/** `{"id": <digits>}` with the id unquoted, as Zoom writes int64 ids. */
const ID_MARK = "\u0000meeting-id\u0000";

export function meetingWebhooks(ctx: EmulatorContext, webhooks: Pick<Webhooks, "sendBody">): MeetingWebhooks {
  const find = (id: string): Meeting => {
    const meeting = ctx.store.meetings.get(id);
    if (!meeting) throw new Error(`no meeting ${id}`);
    return meeting;
  };
  const operator = (m: Meeting) => ctx.store.users.get(m.hostId)?.email;
  const body = (event: MeetingEventName, m: Meeting, object: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const by = WITH_OPERATOR.has(event) ? operator(m) : undefined;
    const payload = { account_id: m.accountId, ...(by ? { operator: by } : {}), object, ...extra };
    return JSON.stringify({ event, event_ts: ctx.clock.now(), payload }).replaceAll(JSON.stringify(ID_MARK), m.id);
  };
  const full = (m: Meeting) => ({
    id: ID_MARK,
    uuid: m.uuid,
    host_id: m.hostId,
    topic: m.topic,
    type: m.type,
    start_time: formatUtc(m.startTime),
    duration: m.duration,
    timezone: m.timezone,
  });
  return {
    send(clientId, event, meetingId, target) {
      const m = find(meetingId);
      if (event === "meeting.started") m.status = "started";
      if (event === "meeting.ended") m.status = "finished";
      if (event === "meeting.deleted") m.deleted = true;
      const object = event === "meeting.ended" ? { ...full(m), end_time: formatUtc(ctx.clock.now()) } : full(m);
      return webhooks.sendBody(clientId, event, body(event, m, object), target);
    },
    edit(clientId, meetingId, edit, target) {
      const m = find(meetingId);
      const old: Record<string, unknown> = { id: ID_MARK };
      if (edit.topic !== undefined) {
        old["topic"] = m.topic;
        m.topic = edit.topic;
      }
      if (edit.start_time !== undefined) {
        old["start_time"] = formatUtc(m.startTime);
        m.startTime = Date.parse(edit.start_time);
      }
      if (edit.duration !== undefined) {
        old["duration"] = m.duration;
        m.duration = edit.duration;
      }
      const object = { id: ID_MARK, uuid: m.uuid, ...edit };
      const text = body("meeting.updated", m, object, { old_object: old, time_stamp: ctx.clock.now() });
      return webhooks.sendBody(clientId, "meeting.updated", text, target);
    },
  };
}

import { describe, expect, it } from "vitest";
import { ZOOM_EVENT_TYPES } from "../../common/tenant/zoom-event-types.ts";
import { parseZoomJson } from "../zoom/zoom-json.ts";
import { OUTBOUND_EVENT_TYPES } from "./event-types.ts";
import { deauthorizedEvent, meetingEvents, OUTBOUND_OF, ZoomDeauthorization, ZoomMeetingEvent } from "./zoom-events.ts";

const zoom = (text: string) => ZoomMeetingEvent.parse((parseZoomJson(text) as { value: unknown }).value);

describe("Zoom's events as the booking app's", () => {
  it("maps every Zoom event type the service subscribes to onto an outbound type", () => {
    for (const t of ZOOM_EVENT_TYPES) expect(OUTBOUND_EVENT_TYPES).toContain(OUTBOUND_OF[t]);
  });

  it("makes one event per connected organization, with the big meeting id intact and a stable id", () => {
    const text =
      '{"event":"meeting.updated","event_ts":1767225600000,"payload":{"account_id":"A","operator":"h@x","object":{"id":98765432109876543,"topic":"New","start_time":"2026-01-02T10:00:00Z"},"old_object":{"id":98765432109876543,"topic":"Old"}}}';
    const [a, b] = meetingEvents(zoom(text), ["org-1", "org-2"])!;
    expect(a).toMatchObject({
      type: "meeting.updated",
      subject: "meetings/98765432109876543",
      time: "2026-01-01T00:00:00.000Z",
      data: { organizationId: "org-1", meetingId: "98765432109876543", changedFields: ["start_time", "topic"], operator: "h@x" },
    });
    expect(b?.data.organizationId).toBe("org-2");
    expect(a?.id).not.toBe(b?.id);
    expect(meetingEvents(zoom(text), ["org-1"])![0]?.id).toBe(a?.id);
  });

  it("says meeting.ended carries no participant count (Zoom's webhook has none)", () => {
    const text =
      '{"event":"meeting.ended","event_ts":1,"payload":{"account_id":"A","object":{"id":5,"uuid":"u==","end_time":"2026-01-01T01:00:00Z"}}}';
    expect(meetingEvents(zoom(text), ["o"])![0]?.data).toMatchObject({
      endTime: "2026-01-01T01:00:00Z",
      participantCount: null,
      uuid: "u==",
    });
  });

  it("gives the deletion deadline 10 days after deauthorization, or none when Zoom allows retention", () => {
    const e = (retention: unknown) =>
      ZoomDeauthorization.parse({
        event: "app_deauthorized",
        payload: { account_id: "A", deauthorization_time: "2026-03-01T12:00:00Z", user_data_retention: retention },
      });
    expect(deauthorizedEvent(e("false"), "o", 0).data).toMatchObject({
      userDataRetention: false,
      deleteZoomDataBy: "2026-03-11T12:00:00.000Z",
    });
    expect(deauthorizedEvent(e(true), "o", 0).data).toMatchObject({ userDataRetention: true, deleteZoomDataBy: null });
  });
});

/**
 * The Zoom webhook event types the tenant's service handles: the one list behind the app's event
 * subscription (manifest, Marketplace checklist, status) and the service's webhook handler.
 */
export const ZOOM_EVENT_TYPES = [
  "app_deauthorized",
  "meeting.created",
  "meeting.updated",
  "meeting.deleted",
  "meeting.started",
  "meeting.ended",
] as const;

export type ZoomEventType = (typeof ZOOM_EVENT_TYPES)[number];

import { ErrorCode, ServiceError } from "../errors.ts";
import { type IdempotencyRecord, storeKey } from "./idempotency-store.ts";
import { getMeeting, type MeetingsDeps, meetingPath } from "./meetings.ts";
import type { Meeting } from "./schemas.ts";

/**
 * Idempotency records follow the meeting's life. A meeting cancelled through the API, or found
 * deleted in Zoom by a GET or PATCH (MEETING_GONE), gets a `gone` marker under its own key; a create
 * whose record names a gone meeting makes a new meeting instead of replaying (or refusing) it. A
 * meeting moved to another host (a new meeting, see changeHost) gets a marker naming its successor,
 * so the booking's create keeps replaying the meeting the booking now has. The
 * marker is one write per cancel (creates stay at two). Zoom remains the judge: a meeting deleted in
 * Zoom's own UI leaves no marker, so a replay or a reused key asks Zoom before answering.
 */

/** NB: at least the records' TTL (25 h): a marker must outlive every record naming its meeting. */
const MARKER_TTL_MS = 25 * 3_600_000;

/** NB: the NULs keep markers apart from every Idempotency-Key (visible ASCII) and booking key. */
export function meetingGoneKey(organizationId: string, meetingId: string): string {
  return storeKey(organizationId, `\0gone\0${meetingId}`);
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ServiceError && error.code === ErrorCode.NotFound;
}

/**
 * Best effort: without the marker a later create still finds the meeting gone by asking Zoom.
 * `successor`: the meeting that replaced it (a host change); a marker naming one is never overwritten.
 */
export async function markMeetingGone(deps: MeetingsDeps, organizationId: string, meetingId: string, successor?: string): Promise<void> {
  const now = deps.clock();
  const marker: IdempotencyRecord = {
    fingerprint: "",
    state: "gone",
    owner: "",
    claimedAt: now,
    leaseUntil: 0,
    expiresAt: now + MARKER_TTL_MS,
    host: "",
    meetingId: successor,
  };
  try {
    await deps.idempotency.transact(meetingGoneKey(organizationId, meetingId), (current) =>
      current?.state === "gone" && (successor === undefined || current.meetingId === successor)
        ? { result: undefined }
        : { change: { put: marker }, result: undefined },
    );
  } catch (error) {
    deps.logger.warn({ meetingId, code: (error as ServiceError).code }, "could not mark the meeting gone; creates will ask Zoom");
  }
}

/** The marker of a meeting: absent (alive as far as we know), gone, or moved to a successor. */
async function markerOf(deps: MeetingsDeps, organizationId: string, meetingId: string): Promise<IdempotencyRecord | undefined> {
  const key = meetingGoneKey(organizationId, meetingId);
  return deps.idempotency.transact(key, (current) => ({ result: current?.state === "gone" ? current : undefined }));
}

/** Whether a done record's meeting is gone (a moved one is not): its marker, else Zoom's 404 (then marked). */
export async function isMeetingGone(deps: MeetingsDeps, organizationId: string, meetingId: string): Promise<boolean> {
  const marker = await markerOf(deps, organizationId, meetingId);
  if (marker) return marker.meetingId === undefined;
  if (!(await zoomSaysGone(deps, organizationId, meetingId))) return false;
  await markMeetingGone(deps, organizationId, meetingId);
  return true;
}

async function zoomSaysGone(deps: MeetingsDeps, organizationId: string, meetingId: string): Promise<boolean> {
  try {
    await deps.zoom.call({ organizationId, method: "GET", path: meetingPath(meetingId), retry: "idempotent" });
    return false;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return true;
  }
}

/**
 * The meeting a done record names (or its successor after host changes), as Zoom has it now;
 * undefined when it is gone (now marked).
 */
export async function replayOf(deps: MeetingsDeps, organizationId: string, meetingId: string, moves = 0): Promise<Meeting | undefined> {
  try {
    return await getMeeting(deps, organizationId, meetingId);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const successor = (await markerOf(deps, organizationId, meetingId))?.meetingId;
    // NB: a bound on successive host changes followed, in case markers ever form a cycle.
    if (successor !== undefined && moves < 5) return replayOf(deps, organizationId, successor, moves + 1);
    await markMeetingGone(deps, organizationId, meetingId);
    return undefined;
  }
}

/**
 * A GET or PATCH of a meeting (or series): Zoom's 404 answers MEETING_GONE and releases the
 * booking's record, so the booking app can create the meeting again with the same key.
 * NB: Zoom answers an unknown occurrence with the same 3001 as a gone meeting: for a PATCH of one
 * occurrence the series decides (alive: the occurrence's NOT_FOUND stands).
 */
export async function unlessGone<T>(
  deps: MeetingsDeps,
  organizationId: string,
  meetingId: string,
  run: () => Promise<T>,
  occurrenceId?: string,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (occurrenceId !== undefined && !(await zoomSaysGone(deps, organizationId, meetingId))) throw error;
    await markMeetingGone(deps, organizationId, meetingId);
    throw new ServiceError(
      ErrorCode.MeetingGone,
      "The meeting no longer exists in Zoom (deleted or expired); its booking may be created again with the same key.",
      { cause: error },
    );
  }
}

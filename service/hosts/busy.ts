import { z } from "zod";
import { ErrorCode, ServiceError } from "../errors.ts";
import { utcString } from "../meetings/meeting-time.ts";
import { Instant, OrganizationId } from "../meetings/schemas.ts";
import type { ZoomApi } from "../zoom/zoom-api.ts";
import { badResponse } from "../zoom/zoom-errors.ts";
import { meetingIdOf } from "../zoom/zoom-json.ts";

/**
 * A host's busy times for the booking app's slot computation: every scheduled Zoom meeting of
 * the host (booked through us or scheduled in Zoom directly), recurring series expanded into their
 * occurrences, as [start, end) intervals overlapping [from, to). One page of Zoom's
 * `GET /users/{id}/meetings?type=upcoming` per call (Zoom's page token passed through; it expires
 * after 15 minutes); a series on the page costs one more light GET to expand it.
 */

/** Keeps one call bounded: a series has at most 60 occurrences, but the window decides what is kept. */
const MAX_WINDOW_MS = 93 * 86_400_000;

export const BusyParams = z.strictObject({ organizationId: OrganizationId, host: z.string().min(1).max(128) });
export const BusyQuery = z
  .strictObject({
    from: Instant,
    to: Instant,
    pageSize: z.coerce.number().int().min(1).max(300).optional().meta({ description: "Zoom meetings per page; default 100." }),
    pageToken: z.string().min(1).max(512).optional(),
  })
  .superRefine((q, ctx) => {
    const span = Date.parse(q.to) - Date.parse(q.from);
    if (!(span > 0)) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    if (span > MAX_WINDOW_MS) ctx.addIssue({ code: "custom", path: ["to"], message: "at most 93 days after from" });
  });
export type BusyQuery = z.infer<typeof BusyQuery>;

export const BusyInterval = z.object({
  start: z.string(),
  end: z.string(),
  meetingId: z.string(),
  occurrenceId: z.string().nullable(),
});
export const BusyPage = z.object({
  busy: z.array(BusyInterval),
  nextPageToken: z.string().nullable().meta({ description: "More of the host's meetings: ask again with pageToken." }),
});
export type BusyPage = z.infer<typeof BusyPage>;
type Interval = z.infer<typeof BusyInterval>;

const Listed = z.looseObject({
  id: z.union([z.string(), z.number()]),
  type: z.number().optional(),
  start_time: z.string().optional(),
  duration: z.number().optional(),
  occurrence_id: z.union([z.string(), z.number()]).optional(),
  occurrences: z
    .array(
      z.looseObject({
        occurrence_id: z.union([z.string(), z.number()]),
        start_time: z.string(),
        duration: z.number().optional(),
        status: z.string().optional(),
      }),
    )
    .optional(),
});
const ListPage = z.looseObject({ next_page_token: z.string().optional(), meetings: z.array(Listed) });
type Listed = z.infer<typeof Listed>;

export interface BusyDeps {
  readonly zoom: Pick<ZoomApi, "call">;
}

export async function busyTimes(deps: BusyDeps, organizationId: string, host: string, query: BusyQuery): Promise<BusyPage> {
  const result = await deps.zoom.call({
    organizationId,
    method: "GET",
    path: `/users/${encodeURIComponent(host)}/meetings`,
    query: { type: "upcoming", page_size: String(query.pageSize ?? 100), next_page_token: query.pageToken },
    retry: "idempotent",
  });
  const page = ListPage.safeParse(result.json);
  if (!page.success) throw badResponse(result.status, "not a meeting list");
  const from = Date.parse(query.from);
  const to = Date.parse(query.to);
  const expanded = await Promise.all(page.data.meetings.map((m) => expand(deps, organizationId, m)));
  const unique = new Map(expanded.flat().map((i) => [`${i.meetingId}/${i.occurrenceId}`, i]));
  const busy = [...unique.values()]
    .filter((i) => Date.parse(i.start) < to && Date.parse(i.end) > from)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return { busy, nextPageToken: page.data.next_page_token || null };
}

/**
 * NB: `upcoming` lists each upcoming occurrence of a series as its own item (with occurrence_id);
 * a series listed once (no occurrence_id) is expanded from the meeting itself.
 */
async function expand(deps: BusyDeps, organizationId: string, m: Listed): Promise<Interval[]> {
  const id = meetingIdOf(m.id);
  if (id === undefined) throw badResponse(200, "a listed meeting has no id");
  if (m.type === 3) return []; // recurring without a fixed time: nothing to block
  if (m.type === 8 && m.occurrence_id !== undefined && m.start_time)
    return [interval(id, String(m.occurrence_id), m.start_time, m.duration ?? 0)];
  if (m.type !== 8) return m.start_time ? [interval(id, null, m.start_time, m.duration ?? 0)] : [];
  const occurrences = m.occurrences ?? (await occurrencesOf(deps, organizationId, id));
  return occurrences
    .filter((o) => o.status !== "deleted")
    .map((o) => interval(id, String(o.occurrence_id), o.start_time, o.duration ?? m.duration ?? 0));
}

async function occurrencesOf(deps: BusyDeps, organizationId: string, id: string): Promise<NonNullable<Listed["occurrences"]>> {
  try {
    const result = await deps.zoom.call({ organizationId, method: "GET", path: `/meetings/${id}`, retry: "idempotent" });
    return Listed.safeParse(result.json).data?.occurrences ?? [];
  } catch (error) {
    // NB: a series deleted between the list and this read blocks nothing.
    if (error instanceof ServiceError && error.code === ErrorCode.NotFound) return [];
    throw error;
  }
}

function interval(meetingId: string, occurrenceId: string | null, start: string, minutes: number): Interval {
  const at = Date.parse(start);
  return { start: utcString(at), end: utcString(at + minutes * 60_000), meetingId, occurrenceId };
}

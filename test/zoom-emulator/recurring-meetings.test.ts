import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { api, connect, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  zoom = await startFrozen(); // 2025-03-10T09:00:00Z, a Monday
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

/** Weekly on Tuesday 10:00 Berlin, 4 times from 2025-03-18: the DST change (30 March) falls inside. */
const WEEKLY = {
  ...MEETING,
  type: 8,
  start_time: "2025-03-18T10:00:00",
  timezone: "Europe/Berlin",
  recurrence: { type: 2, weekly_days: "3", end_times: 4 },
};
const STARTS = ["2025-03-18T09:00:00Z", "2025-03-25T09:00:00Z", "2025-04-01T08:00:00Z", "2025-04-08T08:00:00Z"];

async function series(body: Record<string, unknown> = WEEKLY): Promise<{ id: string; occurrences: { occurrence_id: string }[] }> {
  const reply = await api(zoom, token, "POST", "/users/me/meetings", body);
  expect(reply.status).toBe(201);
  return { id: rawId(reply.text), occurrences: reply.json.occurrences };
}

describe("creating a recurring meeting (type 8)", () => {
  it("answers the occurrences at the same Berlin wall-clock time across DST, with epoch-ms ids", async () => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", WEEKLY);
    expect(reply.json.type).toBe(8);
    expect(reply.json.recurrence).toEqual({ type: 2, repeat_interval: 1, weekly_days: "3", end_times: 4 });
    expect(reply.json.occurrences).toEqual(
      STARTS.map((start) => ({ occurrence_id: String(Date.parse(start)), start_time: start, duration: 30, status: "available" })),
    );
    expect(reply.json.start_time).toBe(STARTS[0]);
  });

  it.each([
    ["type 8 without a recurrence", { ...WEEKLY, recurrence: undefined }, "recurrence"],
    ["a recurrence on a scheduled meeting", { ...WEEKLY, type: 2 }, "recurrence"],
    ["more than 60 occurrences", { ...WEEKLY, recurrence: { type: 1, end_times: 61 } }, "recurrence.end_times"],
    [
      "end_times with end_date_time",
      { ...WEEKLY, recurrence: { type: 1, end_times: 2, end_date_time: "2025-04-01T00:00:00Z" } },
      "recurrence.end_times",
    ],
    ["weekday 8", { ...WEEKLY, recurrence: { type: 2, weekly_days: "2,8" } }, "recurrence.weekly_days"],
  ])("refuses %s with 300 naming the field", async (_name, body, field) => {
    const reply = await api(zoom, token, "POST", "/users/me/meetings", body);
    expect([reply.status, reply.json.code]).toEqual([400, 300]);
    expect(reply.json.errors ?? [{ field: reply.json.errors }]).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });
});

describe("one occurrence of a series", () => {
  it("GET with occurrence_id answers that occurrence's time", async () => {
    const { id, occurrences } = await series();
    const reply = await api(zoom, token, "GET", `/meetings/${id}?occurrence_id=${occurrences[2]?.occurrence_id}`);
    expect(reply.json.start_time).toBe(STARTS[2]);
    expect((await api(zoom, token, "GET", `/meetings/${id}?occurrence_id=123`)).json.code).toBe(3001);
  });

  it("PATCH with occurrence_id moves only that occurrence and keeps its id", async () => {
    const { id, occurrences } = await series();
    const second = occurrences[1]?.occurrence_id;
    const patched = await api(zoom, token, "PATCH", `/meetings/${id}?occurrence_id=${second}`, {
      start_time: "2025-03-26T15:00:00",
      duration: 45,
    });
    expect(patched.status).toBe(204);
    const reply = await api(zoom, token, "GET", `/meetings/${id}`);
    expect(reply.json.occurrences.map((o: { start_time: string }) => o.start_time)).toEqual([
      STARTS[0],
      "2025-03-26T14:00:00Z",
      STARTS[2],
      STARTS[3],
    ]);
    expect(reply.json.occurrences[1]).toMatchObject({ occurrence_id: second, duration: 45 });
  });

  it("PATCH with occurrence_id refuses a field only the series has", async () => {
    const { id, occurrences } = await series();
    const reply = await api(zoom, token, "PATCH", `/meetings/${id}?occurrence_id=${occurrences[0]?.occurrence_id}`, { topic: "Renamed" });
    expect(reply.json).toMatchObject({ code: 300, errors: [expect.objectContaining({ field: "topic" })] });
  });

  it("DELETE with occurrence_id cancels it (status deleted) and leaves the series", async () => {
    const { id, occurrences } = await series();
    const first = occurrences[0]?.occurrence_id;
    expect((await api(zoom, token, "DELETE", `/meetings/${id}?occurrence_id=${first}`)).status).toBe(204);
    const reply = await api(zoom, token, "GET", `/meetings/${id}`);
    expect(reply.json.occurrences.map((o: { status: string }) => o.status)).toEqual(["deleted", "available", "available", "available"]);
    expect(reply.json.start_time).toBe(STARTS[1]);
    expect((await api(zoom, token, "DELETE", `/meetings/${id}?occurrence_id=${first}`)).json.code).toBe(3001);
    expect((await api(zoom, token, "PATCH", `/meetings/${id}?occurrence_id=${first}`, { duration: 10 })).json.code).toBe(3001);
  });

  it("DELETE without occurrence_id removes the whole series", async () => {
    const { id } = await series();
    expect((await api(zoom, token, "DELETE", `/meetings/${id}`)).status).toBe(204);
    expect((await api(zoom, token, "GET", `/meetings/${id}`)).json.code).toBe(3001);
  });
});

describe("occurrences over time", () => {
  it("leaves past occurrences out unless show_previous_occurrences=true", async () => {
    const { id } = await series();
    zoom.clock.set("2025-03-26T00:00:00Z");
    token = (await connect(zoom)).access; // the first access token expired meanwhile
    const now = await api(zoom, token, "GET", `/meetings/${id}`);
    const all = await api(zoom, token, "GET", `/meetings/${id}?show_previous_occurrences=true`);
    expect(now.json.occurrences).toHaveLength(2);
    expect(all.json.occurrences).toHaveLength(4);
    expect(now.json.start_time).toBe(STARTS[2]);
  });

  it("a series update re-expands the occurrences and keeps cancelled ones cancelled", async () => {
    const { id, occurrences } = await series();
    await api(zoom, token, "DELETE", `/meetings/${id}?occurrence_id=${occurrences[1]?.occurrence_id}`);
    await api(zoom, token, "PATCH", `/meetings/${id}`, { recurrence: { type: 2, weekly_days: "3", end_times: 6 } });
    const reply = await api(zoom, token, "GET", `/meetings/${id}`);
    expect(reply.json.occurrences.map((o: { status: string }) => o.status)).toEqual([
      "available",
      "deleted",
      ...Array(4).fill("available"),
    ]);
  });

  it("lists a series once, at its next available occurrence", async () => {
    const { id } = await series();
    await api(zoom, token, "POST", "/users/me/meetings", MEETING);
    zoom.clock.set("2025-03-20T00:00:00Z");
    token = (await connect(zoom)).access;
    const reply = await api(zoom, token, "GET", "/users/me/meetings?type=upcoming");
    const item = reply.json.meetings.find((m: { type: number }) => m.type === 8);
    expect(reply.json.total_records).toBe(1);
    expect(item).toMatchObject({ type: 8, start_time: STARTS[1] });
    expect(reply.text).toContain(`"id":${id}`);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { api, connect, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  zoom = await startFrozen();
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

describe("join details", () => {
  it("a meeting carries the account's dial-in numbers and numeric phone passcodes", async () => {
    zoom.seedUser({ id: "host", passcode: { defaultPassword: "aB3xY7zq" } });
    const reply = await api(zoom, token, "POST", "/users/host/meetings", MEETING);
    expect(reply.json.settings.global_dial_in_numbers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ country: "DE", country_name: "Germany", number: expect.any(String), type: "toll" }),
      ]),
    );
    expect(reply.json.password).toBe("aB3xY7zq");
    expect(reply.json.pstn_password).toMatch(/^\d{8}$/);
    expect(reply.json.h323_password).toBe(reply.json.pstn_password);
    expect(reply.json.encrypted_password).toBe(new URL(reply.json.join_url).searchParams.get("pwd"));
  });

  it("the invitation has the join URL, the grouped meeting id, both passcodes and the dial-in numbers", async () => {
    const created = await api(zoom, token, "POST", "/users/me/meetings", MEETING);
    const id = rawId(created.text);
    const reply = await api(zoom, token, "GET", `/meetings/${id}/invitation`);
    expect(reply.status).toBe(200);
    const text: string = reply.json.invitation;
    expect(text).toContain(created.json.join_url);
    expect(text).toContain(`Meeting ID: ${id.slice(0, 3)} ${id.slice(3, -4)} ${id.slice(-4)}`);
    expect(text).toContain(`Passcode: ${created.json.password}`);
    expect(text).toContain(`Passcode: ${created.json.pstn_password}`);
    for (const number of created.json.settings.global_dial_in_numbers) expect(text).toContain(number.number);
    expect(text).toMatch(/Join by SIP\r\n• \d+@zoomcrc\.com/);
    expect(reply.json.sip_links).toEqual([`${id}@zoomcrc.com`]);
  });

  it("the invitation answers 3001 for a meeting that is gone", async () => {
    const id = rawId((await api(zoom, token, "POST", "/users/me/meetings", MEETING)).text);
    await api(zoom, token, "DELETE", `/meetings/${id}`);
    expect((await api(zoom, token, "GET", `/meetings/${id}/invitation`)).json.code).toBe(3001);
  });
});

describe("delete options", () => {
  it("records schedule_for_reminder and cancel_meeting_reminder as sent", async () => {
    const first = rawId((await api(zoom, token, "POST", "/users/me/meetings", MEETING)).text);
    const second = rawId((await api(zoom, token, "POST", "/users/me/meetings", MEETING)).text);
    await api(zoom, token, "DELETE", `/meetings/${first}?schedule_for_reminder=false&cancel_meeting_reminder=true`);
    await api(zoom, token, "DELETE", `/meetings/${second}`);
    const options = Object.fromEntries(zoom.inspect().meetings.map((m) => [m.id, m.deleteOptions]));
    expect(options).toEqual({ [first]: { scheduleForReminder: false, cancelMeetingReminder: true }, [second]: undefined });
  });

  it("refuses a reminder flag that is not true or false, and deletes nothing", async () => {
    const id = rawId((await api(zoom, token, "POST", "/users/me/meetings", MEETING)).text);
    const reply = await api(zoom, token, "DELETE", `/meetings/${id}?cancel_meeting_reminder=yes`);
    expect([reply.status, reply.json.code]).toEqual([400, 300]);
    expect(zoom.inspect().meetings[0]?.deleted).toBe(false);
  });
});

describe("instant meetings", () => {
  it("a scheduled meeting created without start_time becomes an instant meeting (type 1) starting now", async () => {
    const { start_time: _, ...noStart } = MEETING;
    const reply = await api(zoom, token, "POST", "/users/me/meetings", noStart);
    expect(reply.json).toMatchObject({ type: 1, start_time: "2025-03-10T09:00:00Z" });
  });
});

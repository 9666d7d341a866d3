import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { passcodeProblems } from "./passcodes.ts";
import { passwordRequirementSchema } from "./seed.ts";
import { api, connect, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let token: string;
beforeEach(async () => {
  zoom = await startFrozen();
  token = (await connect(zoom)).access;
});
afterEach(() => zoom.close());

const { default_password: _, ...NO_PASSCODE } = MEETING;

async function create(body: Record<string, unknown>, host = "me") {
  return api(zoom, token, "POST", `/users/${host}/meetings`, body);
}

describe("passcodes on create", () => {
  it("without a passcode and without default_password there is none, and Zoom forces the waiting room", async () => {
    const reply = await create(NO_PASSCODE);
    expect(reply.status).toBe(201);
    expect(reply.json.password).toBeUndefined();
    expect(reply.json.settings.waiting_room).toBe(true);
    expect(zoom.inspect().meetings[0]).toMatchObject({ passwordSource: "none", waitingRoomForced: true });
  });

  it("does not force the waiting room when meeting authentication secures the meeting", async () => {
    const reply = await create({ ...NO_PASSCODE, settings: { meeting_authentication: true } });
    expect(reply.json.settings).toMatchObject({ waiting_room: false, meeting_authentication: true });
    expect(zoom.inspect().meetings[0]?.waitingRoomForced).toBe(false);
  });

  it("default_password: true applies the host's default passcode", async () => {
    zoom.seedUser({ id: "host", passcode: { defaultPassword: "482913" } });
    const reply = await create({ ...NO_PASSCODE, default_password: true }, "host");
    expect(reply.json.password).toBe("482913");
    expect(reply.json.settings.waiting_room).toBe(false);
    expect(zoom.inspect().meetings[0]?.passwordSource).toBe("default");
  });

  it("default_password: true generates one by the host's rules when the host has no default", async () => {
    const requirement = { length: 9, only_allow_numeric: true };
    zoom.seedUser({ id: "host", passcode: { requirement } });
    const reply = await create({ ...NO_PASSCODE, default_password: true }, "host");
    expect(reply.json.password).toMatch(/^\d{9}$/);
  });

  it("fills a passcode in when the host's requirement is enabled and locked", async () => {
    zoom.seedUser({ id: "locked", passcode: { locked: true, requirement: { length: 8, have_number: true, have_letter: true } } });
    const reply = await create(NO_PASSCODE, "locked");
    expect(reply.json.password).toHaveLength(8);
    expect(
      passcodeProblems(reply.json.password, passwordRequirementSchema.parse({ length: 8, have_number: true, have_letter: true })),
    ).toEqual([]);
    expect(zoom.inspect().meetings[0]?.passwordSource).toBe("autofilled");
  });

  it.each([
    ["shorter than the host's minimum", { length: 8 }, "abc123"],
    ["with letters for a numeric-only host", { only_allow_numeric: true }, "12ab34"],
    ["without the special character the host requires", { have_special_character: true }, "abc123"],
  ])("refuses a passcode %s with code 300 naming password", async (_name, requirement, password) => {
    zoom.seedUser({ id: "strict", passcode: { requirement } });
    const reply = await create({ ...NO_PASSCODE, password }, "strict");
    expect([reply.status, reply.json.code]).toEqual([400, 300]);
    expect(reply.json.errors).toEqual([expect.objectContaining({ field: "password" })]);
  });

  it("checks a passcode changed by PATCH against the host's rules", async () => {
    zoom.setUser("acme-admin", { passcode: { requirement: { length: 8 } } });
    const id = rawId((await create({ ...NO_PASSCODE, password: "abcd1234" })).text);
    const reply = await api(zoom, token, "PATCH", `/meetings/${id}`, { password: "abc" });
    expect(reply.json.code).toBe(300);
    expect((await api(zoom, token, "GET", `/meetings/${id}`)).json.password).toBe("abcd1234");
  });
});

describe("meeting authentication", () => {
  it("is inherited from the host unless the request sends it", async () => {
    zoom.setUser("acme-admin", { meetingAuthentication: true });
    const inherited = await create(MEETING);
    const sent = await create({ ...MEETING, settings: { meeting_authentication: false } });
    expect(inherited.json.settings.meeting_authentication).toBe(true);
    expect(sent.json.settings.meeting_authentication).toBe(false);
  });
});

import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { api, connect, MEETING, rawId, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
let target: Server;
let url: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeEach(async () => {
  received.length = 0;
  target = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/zoom/webhook`;
  zoom = await startFrozen();
});
afterEach(async () => {
  await zoom.close();
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

const signedBy = (m: (typeof received)[number], secret: string) =>
  m.headers["x-zm-signature"] ===
  `v0=${createHmac("sha256", secret).update(`v0:${m.headers["x-zm-request-timestamp"]}:${m.body}`).digest("hex")}`;

describe("meeting webhooks", () => {
  it("announces a meeting's life signed with the Secret Token, its int64 id an unquoted JSON number", async () => {
    const { access } = await connect(zoom);
    const id = rawId((await api(zoom, access, "POST", "/users/me/meetings", MEETING)).text);
    for (const event of ["meeting.created", "meeting.started", "meeting.ended", "meeting.deleted"] as const)
      expect(await zoom.meetingWebhooks.send("acme-client", event, id, { url })).toMatchObject({ event, acknowledged: true });
    expect(received.map((m) => JSON.parse(m.body).event)).toEqual([
      "meeting.created",
      "meeting.started",
      "meeting.ended",
      "meeting.deleted",
    ]);
    for (const m of received) {
      expect(signedBy(m, "acme-webhook-secret")).toBe(true);
      expect(rawId(m.body)).toBe(id);
    }
    const ended = JSON.parse(received[2]!.body).payload;
    expect(ended).toMatchObject({ account_id: "acme-account", object: { end_time: "2025-03-10T09:00:00Z", topic: "Consultation" } });
    expect(ended.object).not.toHaveProperty("participants_count");
    expect((await api(zoom, access, "GET", `/meetings/${id}`)).json).toMatchObject({ code: 3001 });
  });

  it("sends an edit made in Zoom as meeting.updated with the changed fields and their old values", async () => {
    const { access } = await connect(zoom);
    const id = rawId((await api(zoom, access, "POST", "/users/me/meetings", MEETING)).text);
    await zoom.meetingWebhooks.edit("acme-client", id, { topic: "Moved", start_time: "2025-03-13T10:00:00Z" }, { url });
    const payload = JSON.parse(received[0]!.body).payload;
    expect(payload.object).toMatchObject({ topic: "Moved", start_time: "2025-03-13T10:00:00Z" });
    expect(payload.old_object).toMatchObject({ topic: "Consultation", start_time: "2025-03-12T10:00:00Z" });
    expect(payload.operator).toBe("admin@acme.example");
    expect(JSON.parse((await api(zoom, access, "GET", `/meetings/${id}`)).text.replace(/"id":\d+/, '"id":0')).topic).toBe("Moved");
  });
});

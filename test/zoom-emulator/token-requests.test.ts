import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ZoomEmulator } from "./index.ts";
import { basic, connect, refresh, startFrozen } from "./test-kit.ts";

let zoom: ZoomEmulator;
beforeEach(async () => {
  zoom = await startFrozen();
});
afterEach(() => zoom.close());

const form = (token: string) => new URLSearchParams({ grant_type: "refresh_token", refresh_token: token });
const post = (token: string, signal?: AbortSignal) =>
  fetch(`${zoom.url}/oauth/token`, {
    method: "POST",
    headers: { authorization: basic(), "content-type": "application/x-www-form-urlencoded" },
    body: form(token),
    signal,
  });

describe("token endpoint requests are recorded for crash and concurrency tests", () => {
  it("times every request and counts two refreshes of one grant in flight at once as overlapping", async () => {
    const first = await connect(zoom);
    zoom.faults.inject("POST /oauth/token", { kind: "latency", ms: 80 }, { times: 2 });
    const answers = await Promise.all([post(first.refresh), post(first.refresh)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const seen = zoom.inspect();
    const refreshes = seen.tokenRequests.filter((r) => r.grantType === "refresh_token");
    expect(refreshes).toHaveLength(2);
    expect(refreshes.every((r) => r.result === "answered" && r.grantId === "grant-1" && r.endedAt! >= r.handledAt!)).toBe(true);
    expect(seen.overlappingRefreshes).toBe(1);
  });

  it("does not count refreshes one after the other", async () => {
    const first = await connect(zoom);
    const second = await refresh(zoom, first.refresh);
    await refresh(zoom, second.json.refresh_token as string);
    expect(zoom.inspect().overlappingRefreshes).toBe(0);
  });

  it("never handles a request its client abandoned during an abandonIfClosed latency", async () => {
    const first = await connect(zoom);
    zoom.faults.inject("POST /oauth/token", { kind: "latency", ms: 150, abandonIfClosed: true }, { times: 1 });
    await expect(post(first.refresh, AbortSignal.timeout(30))).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200));
    expect(zoom.inspect().tokenRequests.at(-1)?.result).toBe("abandoned");
    expect(zoom.inspect().refreshCalls["grant-1"]).toBe(0);
    expect((await refresh(zoom, first.refresh)).status).toBe(200); // the token was not rotated by the abandoned request
  });

  it("records a refresh whose answer was dropped as lost: Zoom rotated the token, the client never saw it", async () => {
    const first = await connect(zoom);
    zoom.faults.inject("POST /oauth/token", { kind: "dropResponse" }, { times: 1 });
    await expect(post(first.refresh)).rejects.toThrow();
    expect(zoom.inspect().tokenRequests.at(-1)?.result).toBe("lost");
    expect((await refresh(zoom, first.refresh)).status).toBe(400);
  });
});

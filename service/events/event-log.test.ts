import { describe, expect, it } from "vitest";
import { createEventLog, ShardLogs } from "./event-log.ts";
import type { NewEvent } from "./event-types.ts";
import { acknowledge, appendEvents, emptyLog, orgKey, parseOrgLog } from "./org-log.ts";
import type { ShardMap, ShardStore, ShardWrite } from "./shard-store.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const event = (id: string, topic = "x"): NewEvent => ({
  id,
  type: "meeting.updated",
  time: "2026-01-01T00:00:00.000Z",
  subject: "meetings/1",
  data: { organizationId: "org", accountId: "a", meetingId: "1", topic },
});

/** One shard in memory: what the log reads and what it last wrote. */
function memoryShards(data: Record<string, string>) {
  const state = { map: { metadata: { name: "s", resourceVersion: "1" }, data } as ShardMap, writes: 0 };
  const shards = {
    read: async () => state.map,
    update: async <T>(_shard: number, change: (map: ShardMap | undefined) => ShardWrite<T>): Promise<T> => {
      const planned = change(state.map);
      if (planned.data) {
        state.writes++;
        state.map = { metadata: { ...state.map.metadata, resourceVersion: String(state.writes + 1) }, data: planned.data };
      }
      return planned.result;
    },
  } as unknown as ShardStore;
  return { state, shards };
}

describe("a shard's organization logs", () => {
  it("keeps the stored JSON of the organizations a write did not change, byte for byte", async () => {
    // NB: spacing that JSON.stringify would not produce: re-encoding would show.
    const other = JSON.stringify(appendEvents(emptyLog("other"), [event("o1")], T0), null, 1);
    const { state, shards } = memoryShards({ [orgKey("other")]: other, "not-a-log": "{", [orgKey("broken")]: "{oops" });
    const log = createEventLog({ shards, now: () => T0 + 1 });
    await log.append("org", [event("a")]);
    expect(state.map.data?.[orgKey("other")]).toBe(other);
    expect(parseOrgLog(state.map.data?.[orgKey("org")])?.events.map((e) => e.id)).toEqual(["a"]);
    // values that are not an organization's log are dropped by the write, as before
    expect(Object.keys(state.map.data ?? {}).sort()).toEqual([orgKey("org"), orgKey("other")].sort());
  });

  it("makes room by dropping the oldest delivered events, and refuses new events when undelivered ones alone fill the shard", async () => {
    const big = "y".repeat(400);
    let delivered = appendEvents(
      emptyLog("old"),
      Array.from({ length: 100 }, (_, i) => event(`d${i}`, big)),
      T0,
    );
    delivered = acknowledge(delivered, delivered.nextSeq - 1, T0);
    const { state, shards } = memoryShards({ [orgKey("old")]: JSON.stringify(delivered) });
    const before = ShardLogs.read(state.map).bytes();
    const log = createEventLog({ shards, now: () => T0 + 1, maxShardBytes: before });
    await log.append(
      "org",
      Array.from({ length: 20 }, (_, i) => event(`n${i}`, big)),
    );
    const after = ShardLogs.read(state.map);
    expect(after.bytes()).toBeLessThanOrEqual(before);
    expect(after.get(orgKey("old"))?.events.length).toBe(50); // one step of 50 made room
    expect(after.get(orgKey("org"))?.events.length).toBe(20);

    const full = createEventLog({ shards, now: () => T0 + 2, maxShardBytes: 1000 });
    await expect(full.append("org", [event("late")])).rejects.toMatchObject({ details: { reason: "full" } });
  });
});

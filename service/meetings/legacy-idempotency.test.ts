import type { V1ConfigMap } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { storeKey } from "./idempotency-store.ts";
import { indexLegacy, legacyRecords } from "./legacy-idempotency.ts";
import type { ShardClient } from "./shard-client.ts";

const NOW = 1_800_000_000_000;
const OLD_KEY = `idempotency.${storeKey("acme", "booking:1")}0123456789abcdef`; // the old store kept 40 characters of the same hash

function stateMap(resourceVersion: string, data: Record<string, string>): V1ConfigMap {
  return { metadata: { name: "acme-zoom-state", resourceVersion }, data };
}

describe("the old single-ConfigMap records", () => {
  it("are found by today's store key, live ones only; damaged, expired and other keys read as absent", () => {
    const index = indexLegacy(
      stateMap("1", {
        [OLD_KEY]: JSON.stringify({ f: "fp", s: "d", o: "x", c: 1, l: 2, e: NOW + 1, h: "me", m: "90071992547409931" }),
        "idempotency.expiredexpiredexpiredexpired0123456789ab": JSON.stringify({ f: "fp", s: "d", e: NOW, m: "1" }),
        "idempotency.damageddamageddamageddamaged0123456789ab": "{not json",
        "settings.abc": JSON.stringify({ hostPolicy: "admin" }),
      }),
      NOW,
    );
    expect([...index.keys()]).toEqual([storeKey("acme", "booking:1")]);
    expect(index.get(storeKey("acme", "booking:1"))).toMatchObject({ state: "done", fingerprint: "fp", meetingId: "90071992547409931" });
  });

  it("re-reads the state ConfigMap only when its resourceVersion changed", async () => {
    let map = stateMap("1", {});
    let reads = 0;
    const client: ShardClient = {
      read: async () => {
        reads++;
        return map;
      },
      resourceVersion: async () => map.metadata?.resourceVersion,
      replace: async () => {},
      create: async () => {},
    };
    const legacy = legacyRecords(client, "acme-zoom-state");
    const key = storeKey("acme", "booking:1");
    expect([await legacy.find(key, NOW), await legacy.find(key, NOW), reads]).toEqual([undefined, undefined, 1]);
    map = stateMap("2", { [OLD_KEY]: JSON.stringify({ f: "fp", s: "p", o: "old", c: NOW, l: NOW + 60_000, e: NOW + 1000, h: "me" }) });
    expect((await legacy.find(key, NOW))?.state).toBe("pending");
    expect((await legacy.find(key, NOW + 1000))?.state).toBeUndefined(); // expired since
    expect(reads).toBe(2);
  });
});

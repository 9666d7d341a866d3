import { describe, expect, it } from "vitest";
import { BACKGROUND_TURN, WorkQueue } from "./work-queue.ts";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** One worker, held by "ns/first" until `release`, so that the lanes fill; `seen` lists the keys run, in order. */
function heldQueue() {
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue(
    async (k) => {
      if (k === "ns/first") await gate;
      seen.push(k);
    },
    { workers: 1 },
  );
  q.add("ns/first");
  return { q, seen, release };
}

describe("WorkQueue", () => {
  it("processes a key added many times while queued only once", async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => void seen.push(k), { workers: 1 });
    q.add("a");
    q.add("b");
    q.add("b");
    q.add("b");
    await q.idle();
    expect(seen).toEqual(["a", "b"]);
  });

  it("never runs the same key on two workers at once, and reruns it once when it was added during processing", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const q = new WorkQueue(
      async () => {
        concurrent++;
        runs++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await tick(10);
        concurrent--;
      },
      { workers: 4 },
    );
    q.add("k");
    await tick(1);
    q.add("k");
    q.add("k");
    await q.idle();
    await tick(20);
    await q.idle();
    expect(maxConcurrent).toBe(1);
    expect(runs).toBe(2);
  });

  it("runs different keys in parallel up to the number of workers", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const q = new WorkQueue(
      async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await tick(10);
        concurrent--;
      },
      { workers: 3 },
    );
    for (const k of ["a", "b", "c", "d", "e"]) q.add(k);
    await q.idle();
    expect(maxConcurrent).toBe(3);
  });

  it("retries a failing key with exponentially growing delays and resets after a success", async () => {
    const delays: number[] = [];
    let calls = 0;
    const q = new WorkQueue(
      async () => {
        calls++;
        if (calls <= 3) throw new Error("boom");
      },
      { workers: 1, baseDelayMs: 2, jitter: 0, onError: (_k, _e, d) => delays.push(d) },
    );
    q.add("x");
    for (let i = 0; i < 50 && calls < 4; i++) await tick(5);
    expect(calls).toBe(4);
    expect(delays).toEqual([2, 4, 8]);
    await q.stop();
  });

  it("caps the retry delay", async () => {
    const delays: number[] = [];
    const q = new WorkQueue(
      async () => {
        throw new Error("always");
      },
      { workers: 1, baseDelayMs: 1, maxDelayMs: 4, jitter: 0, onError: (_k, _e, d) => delays.push(d) },
    );
    q.add("x");
    for (let i = 0; i < 40 && delays.length < 5; i++) await tick(3);
    await q.stop();
    expect(delays.slice(0, 5)).toEqual([1, 2, 4, 4, 4]);
  });

  it("jitters retry delays by default, within half the delay and the delay", async () => {
    const delays: number[] = [];
    const q = new WorkQueue(
      async () => {
        throw new Error("always");
      },
      { workers: 4, baseDelayMs: 400, onError: (_k, _e, d) => delays.push(d) },
    );
    const keys = Array.from({ length: 20 }, (_, i) => `ns/k${i}`);
    for (const k of keys) q.add(k);
    for (let i = 0; i < 100 && delays.length < keys.length; i++) await tick(2);
    await q.stop();
    expect(delays).toHaveLength(keys.length);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(200);
    for (const d of delays) expect(d).toBeLessThanOrEqual(400);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it("keeps serving other keys while one key's handler hangs (no head-of-line blocking)", async () => {
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    const q = new WorkQueue(
      async (k) => {
        if (k === "ns/slow") await hung;
        done.push(k);
      },
      { workers: 2 },
    );
    q.add("ns/slow");
    const others = Array.from({ length: 10 }, (_, i) => `ns/t${i}`);
    for (const k of others) q.add(k);
    for (let i = 0; i < 100 && done.length < others.length; i++) await tick(2);
    expect(done).toEqual(others); // every other key, in order, while the slow one still runs
    q.add("ns/t0"); // and new work too
    for (let i = 0; i < 100 && done.length < others.length + 1; i++) await tick(2);
    expect(done.at(-1)).toBe("ns/t0");
    release();
    await q.idle();
    expect(done.at(-1)).toBe("ns/slow");
  });

  it("runs events before the background lane's backlog, without starving it", async () => {
    const { q, seen, release } = heldQueue();
    const resync = Array.from({ length: 12 }, (_, i) => `ns/r${i}`);
    for (const k of resync) q.add(k, "background");
    const events = Array.from({ length: 6 }, (_, i) => `ns/e${i}`);
    for (const k of events) q.add(k);
    release();
    await q.idle();
    expect(seen).toHaveLength(1 + resync.length + events.length);
    // the events finish within their own count plus the background's share, not behind all 12
    const lastEvent = Math.max(...events.map((k) => seen.indexOf(k)));
    expect(lastEvent).toBeLessThanOrEqual(events.length + Math.ceil(events.length / (BACKGROUND_TURN - 1)));
    expect(seen.slice(1, lastEvent + 1).filter((k) => k.startsWith("ns/r")).length).toBeGreaterThan(0); // not starved
    expect(seen.filter((k) => k.startsWith("ns/e"))).toEqual(events); // FIFO within a lane
  });

  it("moves a key from the background lane to the event lane, never the other way", async () => {
    const { q, seen, release } = heldQueue();
    for (const k of ["ns/a", "ns/b", "ns/c"]) q.add(k, "background");
    q.add("ns/c"); // an event for a key queued by the resync: it goes first
    q.add("ns/d");
    q.add("ns/d", "background"); // a resync of a key queued as an event: stays an event, once
    expect(q.depth).toBe(4);
    release();
    await q.idle();
    expect(seen).toEqual(["ns/first", "ns/c", "ns/d", "ns/a", "ns/b"]);
  });

  it("drops scheduled work when stopped", async () => {
    let calls = 0;
    const q = new WorkQueue(async () => void calls++, { workers: 1 });
    q.addAfter("later", 20);
    await q.stop();
    await tick(30);
    expect(calls).toBe(0);
    expect(q.depth).toBe(0);
  });
});

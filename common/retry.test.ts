import { describe, expect, it } from "vitest";
import { backoffDelay, IMMEDIATE, retry } from "./retry.ts";

const noWait = async () => {};

describe("backoffDelay", () => {
  it("doubles per attempt up to the cap when there is no jitter", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 1000, jitter: 0 }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("keeps the default jitter between half the ceiling and the ceiling", () => {
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000 }, () => 0)).toBe(200);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000 }, () => 0.999_999)).toBe(400);
  });

  it("spreads clients that fail together over the whole window with full jitter", () => {
    const values = new Set(Array.from({ length: 50 }, () => backoffDelay(4, { baseMs: 100, maxMs: 10_000, jitter: 1 })));
    expect(values.size).toBeGreaterThan(10);
    for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
    for (const v of values) expect(v).toBeLessThanOrEqual(800);
  });
});

describe("retry", () => {
  it("returns the first success and waits the backoff delays between failures", async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error("flaky");
        return "ok";
      },
      { attempts: 5, baseMs: 10, maxMs: 100, jitter: 0, retryable: () => true, sleep: async (ms) => void waits.push(ms) },
    );
    expect(value).toBe("ok");
    expect(waits).toEqual([10, 20]);
  });

  it("rethrows an error that may not be retried at once", async () => {
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        throw new Error("permanent");
      },
      { attempts: 5, baseMs: 1, maxMs: 1, retryable: () => false, sleep: noWait },
    );
    await expect(run).rejects.toThrow("permanent");
    expect(calls).toBe(1);
  });

  it("throws the last error when the tries run out", async () => {
    let calls = 0;
    const run = retry(
      async (attempt) => {
        calls++;
        throw new Error(`failure ${attempt}`);
      },
      { attempts: 3, baseMs: 1, maxMs: 1, retryable: () => true, sleep: noWait },
    );
    await expect(run).rejects.toThrow("failure 3");
    expect(calls).toBe(3);
  });

  it("stops retrying once the deadline has passed", async () => {
    let clock = 0;
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        clock += 600;
        throw new Error("slow");
      },
      { attempts: 100, deadline: 1000, now: () => clock, baseMs: 1, maxMs: 1, retryable: () => true, sleep: noWait },
    );
    await expect(run).rejects.toThrow("slow");
    expect(calls).toBe(2);
  });

  it("retries values that ask for it and returns the last one when the tries run out", async () => {
    const seen: number[] = [];
    const value = await retry(async (attempt) => ({ status: 429, attempt }), {
      attempts: 3,
      baseMs: 1,
      maxMs: 1,
      retryable: () => false,
      retryResult: (v) => v.status === 429,
      onRetry: (why, attempt) => seen.push(why.value?.attempt ?? -attempt),
      sleep: noWait,
    });
    expect(value).toEqual({ status: 429, attempt: 3 });
    expect(seen).toEqual([1, 2]);
  });
});

describe("retry with a backoff per cause", () => {
  it("waits the cause's own backoff and skips the wait when it is zero", async () => {
    const waits: number[] = [];
    const causes = [new Error("conflict"), new Error("outage"), new Error("conflict")];
    const value = await retry(
      async (attempt) => {
        const cause = causes[attempt - 1];
        if (cause) throw cause;
        return attempt;
      },
      {
        attempts: 5,
        baseMs: 1000,
        maxMs: 5000,
        jitter: 0,
        retryable: () => true,
        backoffFor: ({ error }) => ((error as Error).message === "conflict" ? IMMEDIATE : undefined),
        sleep: async (ms) => void waits.push(ms),
      },
    );
    expect(value).toBe(4);
    expect(waits).toEqual([2000]);
  });
});

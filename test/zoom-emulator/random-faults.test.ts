import { describe, expect, it } from "vitest";
import { RandomFaultPlan } from "./random-faults.ts";

const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("faults at a rate", () => {
  it("fails about the given share of requests and counts what it injected", () => {
    const plan = new RandomFaultPlan({ rate: 0.1 });
    const faults = Array.from({ length: 5000 }, () => plan.take("GET /v2/users/me")).filter(Boolean).length;
    expect(faults).toBeGreaterThan(350);
    expect(faults).toBeLessThan(650);
    expect([...plan.injected.values()].reduce((a, b) => a + b, 0)).toBe(faults);
  });

  it("injects nothing at rate 0, and scripted faults still come first", () => {
    const plan = new RandomFaultPlan({ rate: 0 });
    expect(plan.take("POST /v2/users/{userId}/meetings")).toBeUndefined();
    plan.inject("*", { kind: "reset" }, { times: 1 });
    expect(plan.take("POST /v2/users/{userId}/meetings")).toEqual({ kind: "reset" });
  });

  it("never loses an answer on a route excluded from loseAnswers (a lost refresh answer kills the grant)", () => {
    const plan = new RandomFaultPlan({ rate: 1, random: sequence(0, 0.99), loseAnswers: (r) => r !== "POST /oauth/token" });
    const kinds = new Set(Array.from({ length: 50 }, () => plan.take("POST /oauth/token")?.kind));
    expect(kinds.has("dropResponse")).toBe(false);
    expect(kinds.has("latency")).toBe(false);
    expect(plan.take("POST /v2/users/{userId}/meetings")?.kind).toBeDefined();
  });
});

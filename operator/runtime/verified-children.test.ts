import { describe, expect, it } from "vitest";
import { VerifiedChildren } from "./verified-children.ts";

describe("VerifiedChildren", () => {
  it("matches only the recorded resourceVersion and desired hash, and forgets an owner whole", () => {
    const v = new VerifiedChildren();
    v.record("ns/a", "Deployment/d", "10", "h1");
    v.record("ns/a", "Service/s", "11", "h1");
    v.record("ns/b", "Deployment/d", "12", "h2");
    expect(v.matches("ns/a", "Deployment/d", "10", "h1")).toBe(true);
    expect(v.matches("ns/a", "Deployment/d", "13", "h1")).toBe(false); // changed since
    expect(v.matches("ns/a", "Deployment/d", "10", "h9")).toBe(false); // the desired state changed
    expect(v.matches("ns/a", "Deployment/d", undefined, "h1")).toBe(false);
    expect(v.matches("ns/b", "Service/s", "11", "h1")).toBe(false); // another owner's
    expect(v.size).toBe(3);
    v.forget("ns/a");
    expect(v.matches("ns/a", "Deployment/d", "10", "h1")).toBe(false);
    expect(v.size).toBe(1);
  });

  it("gives the last render's children only for the same props key, and knows which are unchanged", () => {
    const v = new VerifiedChildren();
    v.record("ns/a", "Deployment/d", "10", "h1");
    v.recordRender("ns/a", "k1", ["Deployment/d"]);
    expect(v.renderedChildren("ns/a", "k1")).toEqual(["Deployment/d"]);
    expect(v.renderedChildren("ns/a", "k2")).toBeUndefined(); // other props: render again
    expect(v.unchanged("ns/a", "Deployment/d", "10")).toBe(true);
    expect(v.unchanged("ns/a", "Deployment/d", "1")).toBe(false); // "1" is not a prefix match of "10"
    expect(v.unchanged("ns/a", "Deployment/d", undefined)).toBe(false); // gone from the cache
    v.forget("ns/a");
    expect(v.renderedChildren("ns/a", "k1")).toBeUndefined();
  });
});

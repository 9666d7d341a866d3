import { describe, expect, it } from "vitest";
import { containsDesired, HASH_ANNOTATION, upToDate, withDesiredHash } from "./desired-state.ts";

const cm = (data: Record<string, string>, labels: Record<string, string> = { a: "1" }) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "x", namespace: "n", labels },
  data,
});

describe("containsDesired", () => {
  it.each([
    ["an equal scalar", 1, 1, true],
    ["a different scalar", 1, 2, false],
    ["an object whose live copy has extra server fields", { a: 1 }, { a: 1, b: 2 }, true],
    ["an object missing a desired field", { a: 1, c: 3 }, { a: 1 }, false],
    ["arrays of different length", [1, 2], [1], false],
    ["arrays whose elements contain the desired ones", [{ a: 1 }], [{ a: 1, z: 0 }], true],
    ["an empty desired list against a missing live one", { l: [] }, {}, true],
    ["a timestamp string against a Date", "2026-01-01T00:00:00Z", new Date("2026-01-01T00:00:00Z"), true],
  ])("judges %s", (_name, desired, live, expected) => {
    expect(containsDesired(desired, live)).toBe(expected);
  });
});

describe("upToDate", () => {
  it("accepts a live object the server has decorated with defaults and its own metadata", () => {
    const desired = withDesiredHash(cm({ k: "v" }));
    const live = { ...desired, metadata: { ...desired.metadata, uid: "u", resourceVersion: "7", labels: { a: "1", extra: "x" } } };
    expect(upToDate(desired, live)).toBe(true);
  });

  it("notices a hand edit of a field we own", () => {
    const desired = withDesiredHash(cm({ k: "v" }));
    expect(upToDate(desired, { ...desired, data: { k: "edited" } } as never)).toBe(false);
  });

  it("notices a field removed from the desired state through the hash annotation", () => {
    const before = withDesiredHash(cm({ k: "v", gone: "soon" }));
    const after = withDesiredHash(cm({ k: "v" }));
    expect(after.metadata?.annotations?.[HASH_ANNOTATION]).not.toBe(before.metadata?.annotations?.[HASH_ANNOTATION]);
    expect(upToDate(after, before)).toBe(false);
  });

  it("compares Secrets by data, since the server turns stringData into data", () => {
    const desired = withDesiredHash({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { t: "abc" } } as never);
    expect(desired).toMatchObject({ data: { t: Buffer.from("abc").toString("base64") } });
    expect(desired).not.toHaveProperty("stringData");
  });

  it("treats a missing live object as out of date", () => {
    expect(upToDate(withDesiredHash(cm({})), undefined)).toBe(false);
  });
});

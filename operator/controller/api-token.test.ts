import { describe, expect, it } from "vitest";
import type { ApiTokenProps } from "../../charts/tenant/props.ts";
import { fromSecret, nextApiToken, overlapEndsInMs } from "./api-token.ts";

let counter = 0;
const random = (n: number) => Buffer.alloc(n, ++counter);
const now = new Date("2026-06-01T12:00:00Z");
const overlapMs = 3_600_000;
const current: ApiTokenProps = { token: "tok-1", stateKey: "state-1", rotation: "2026-05" };

describe("nextApiToken", () => {
  it("generates a first token that answers the current request, so creating a CR with the annotation rotates nothing", () => {
    const first = nextApiToken(undefined, { requested: "2026-05", now, overlapMs }, random);
    expect(first).toMatchObject({ rotation: "2026-05" });
    expect(first.previous).toBeUndefined();
    expect(nextApiToken(first, { requested: "2026-05", now, overlapMs }, random)).toBe(first);
  });

  it("keeps the token while the annotation is unchanged or absent", () => {
    expect(nextApiToken(current, { requested: "2026-05", now, overlapMs }, random)).toBe(current);
    expect(nextApiToken(current, { requested: undefined, now, overlapMs }, random)).toBe(current);
  });

  it("rotates on a new annotation value: new token, the old one kept until the overlap ends, the state key untouched", () => {
    const next = nextApiToken(current, { requested: "2026-06", now, overlapMs }, random);
    expect(next.token).not.toBe("tok-1");
    expect(next).toMatchObject({
      stateKey: "state-1",
      rotation: "2026-06",
      previous: { token: "tok-1", expiresAt: "2026-06-01T13:00:00.000Z" },
    });
    expect(overlapEndsInMs(next, now)).toBe(overlapMs + 1000);
  });

  it("drops the previous token once the overlap has ended, keeping the current one", () => {
    const rotated = { ...current, previous: { token: "tok-0", expiresAt: "2026-06-01T12:00:00.000Z" } };
    const next = nextApiToken(rotated, { requested: "2026-05", now, overlapMs }, random);
    expect(next).toEqual(current);
    expect(overlapEndsInMs(next, now)).toBeUndefined();
  });
});

describe("fromSecret", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  it("reads the previous token only when both it and its expiry are set", () => {
    const data = { token: b64("t"), "state-key": b64("s"), "previous-token": b64("p"), "previous-token-expires-at": "" };
    expect(fromSecret({ data })).toEqual({ token: "t", stateKey: "s" });
    expect(fromSecret({ data: { ...data, "previous-token-expires-at": b64("2026-01-01T00:00:00Z") } })?.previous).toEqual({
      token: "p",
      expiresAt: "2026-01-01T00:00:00Z",
    });
  });
});

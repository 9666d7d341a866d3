import { describe, expect, it } from "vitest";
import type { ApiTokenProps } from "../../charts/tenant/props.ts";
import { fromSecret, nextApiToken, overlapEndsInMs } from "./api-token.ts";

let counter = 0;
const random = (n: number) => Buffer.alloc(n, ++counter);
const now = new Date("2026-06-01T12:00:00Z");
const overlapMs = 3_600_000;
const stateKeyOverlapMs = 1_800_000;
/** A request for the given annotation values (state key: none unless given). */
const req = (requested: string | undefined, requestedStateKey?: string, at = now) => ({
  requested,
  requestedStateKey,
  now: at,
  overlapMs,
  stateKeyOverlapMs,
});
const current: ApiTokenProps = { token: "tok-1", stateKey: "state-1", rotation: "2026-05" };

describe("nextApiToken", () => {
  it("generates a first token that answers the current request, so creating a CR with the annotation rotates nothing", () => {
    const first = nextApiToken(undefined, req("2026-05"), random);
    expect(first).toMatchObject({ rotation: "2026-05" });
    expect(first.previous).toBeUndefined();
    expect(nextApiToken(first, req("2026-05"), random)).toBe(first);
  });

  it("keeps the token while the annotation is unchanged or absent", () => {
    expect(nextApiToken(current, req("2026-05"), random)).toBe(current);
    expect(nextApiToken(current, req(undefined), random)).toBe(current);
  });

  it("rotates on a new annotation value: new token, the old one kept until the overlap ends, the state key untouched", () => {
    const next = nextApiToken(current, req("2026-06"), random);
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
    const next = nextApiToken(rotated, req("2026-05"), random);
    expect(next).toEqual(current);
    expect(overlapEndsInMs(next, now)).toBeUndefined();
  });
});

describe("nextApiToken for the state key", () => {
  const keyed: ApiTokenProps = { ...current, stateKeyRotation: "k-1" };

  it("answers a state-key request with the first Secret, so creating a CR with the annotation rotates nothing", () => {
    const first = nextApiToken(undefined, req("2026-05", "k-1"), random);
    expect(first).toMatchObject({ rotation: "2026-05", stateKeyRotation: "k-1" });
    expect(nextApiToken(first, req("2026-05", "k-1"), random)).toBe(first);
  });

  it("rotates the state key alone on a new value: the old key kept for its overlap, the API token untouched", () => {
    const next = nextApiToken(keyed, req("2026-05", "k-2"), random);
    expect(next.stateKey).not.toBe("state-1");
    expect(next).toMatchObject({
      token: "tok-1",
      rotation: "2026-05",
      stateKeyRotation: "k-2",
      previousStateKey: { key: "state-1", expiresAt: "2026-06-01T12:30:00.000Z" },
    });
    expect(next.previous).toBeUndefined();
    expect(overlapEndsInMs(next, now)).toBe(stateKeyOverlapMs + 1000);
  });

  it("leaves the state key alone when only the API token rotates", () => {
    const next = nextApiToken(keyed, req("2026-06", "k-1"), random);
    expect(next).toMatchObject({ stateKey: "state-1", stateKeyRotation: "k-1" });
    expect(next.previousStateKey).toBeUndefined();
  });

  it("keeps the state key while its annotation is unchanged or absent", () => {
    expect(nextApiToken(keyed, req("2026-05", "k-1"), random)).toBe(keyed);
    expect(nextApiToken(keyed, req("2026-05", undefined), random)).toBe(keyed);
  });

  it("drops each replaced value when its own overlap ends, and comes back at the earlier end", () => {
    const both = nextApiToken(nextApiToken(keyed, req("2026-06", "k-2"), random), req("2026-06", "k-2"), random);
    expect(both.previous?.token).toBe("tok-1");
    expect(both.previousStateKey?.key).toBe("state-1");
    expect(overlapEndsInMs(both, now)).toBe(stateKeyOverlapMs + 1000);

    const keyEnded = nextApiToken(both, req("2026-06", "k-2", new Date(now.getTime() + stateKeyOverlapMs)), random);
    expect(keyEnded.previousStateKey).toBeUndefined();
    expect(keyEnded).toMatchObject({ stateKey: both.stateKey, previous: { token: "tok-1" } });

    const tokenEnded = nextApiToken(keyEnded, req("2026-06", "k-2", new Date(now.getTime() + overlapMs)), random);
    expect(tokenEnded).toEqual({ token: both.token, stateKey: both.stateKey, rotation: "2026-06", stateKeyRotation: "k-2" });
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

  it("reads the previous state key and both rotation annotations, each independently", () => {
    const data = {
      token: b64("t"),
      "state-key": b64("s"),
      "previous-state-key": b64("k0"),
      "previous-state-key-expires-at": b64("2026-01-01T00:00:00Z"),
    };
    const annotations = { "bookingops.dev/state-key-rotation": "k-1" };
    expect(fromSecret({ metadata: { annotations }, data })).toEqual({
      token: "t",
      stateKey: "s",
      previousStateKey: { key: "k0", expiresAt: "2026-01-01T00:00:00Z" },
      stateKeyRotation: "k-1",
    });
  });
});

import { describe, expect, it } from "vitest";
import type { TokenRequest } from "../zoom-emulator/store.ts";
import { grantDeathCause, lockTakeovers } from "./grant-deaths.ts";

const refresh = (arrivedAt: number, status: number): TokenRequest => ({
  arrivedAt,
  handledAt: arrivedAt + 2,
  endedAt: arrivedAt + 3,
  grantType: "refresh_token",
  grantId: "g1",
  result: "answered",
  status,
});

// svc-1 refreshed at 1,000 (Zoom handled it at 1,002) and was killed at 1,010, holding the lock;
// svc-2 took the lock over at 16,000 and presented the old refresh token at 16,005.
const requests = [refresh(500, 200), refresh(1_000, 200), refresh(16_005, 400)];
const takeover = { at: 16_000, pod: "svc-2", previousHolder: "svc-1" };

describe("why a grant died in a chaos run", () => {
  it("blames a kill between Zoom's rotation and the write when the next holder took the lock over from the killed pod", () => {
    const cause = grantDeathCause(0, requests, [{ pod: "svc-1", at: 1_010 }], () => [takeover]);
    expect(cause).toEqual({
      refusedAt: 16_005,
      killInWindow: { pod: "svc-1", killMsAfterArrival: 10, handledAfterKill: false, takenOverBy: "svc-2" },
    });
  });

  it("blames us when no lock was taken over from a killed pod", () => {
    expect(grantDeathCause(0, requests, [{ pod: "svc-1", at: 1_010 }], () => [])?.killInWindow).toBeUndefined();
    expect(grantDeathCause(0, requests, [], () => [takeover])?.killInWindow).toBeUndefined();
  });

  it("blames a kill while Zoom had the refresh, even if Zoom handled it after the kill", () => {
    const late = [refresh(500, 200), { ...refresh(1_000, 200), handledAt: 1_300 }, refresh(16_005, 400)];
    expect(grantDeathCause(0, late, [{ pod: "svc-1", at: 1_100 }], () => [takeover])?.killInWindow).toMatchObject({
      handledAfterKill: true,
    });
  });

  it("blames us when the holder was killed before its refresh reached Zoom (that refresh was someone else's)", () => {
    expect(grantDeathCause(0, requests, [{ pod: "svc-1", at: 700 }], () => [takeover])?.killInWindow).toBeUndefined();
  });

  it("finds no death when no refresh was refused after `since`", () => {
    expect(grantDeathCause(16_006, requests, [], () => [])).toBeUndefined();
  });

  it("reads the takeovers from a replica's JSON log", () => {
    const lines = [
      '{"level":30,"time":5,"msg":"zoom service listening"}',
      '{"level":40,"time":"1970-01-01T00:00:16.000Z","previousHolder":"svc-1","msg":"took over the token refresh lock left by another replica (it died or was cut off)"}',
    ];
    expect(lockTakeovers("svc-2", lines)).toEqual([takeover]);
  });
});

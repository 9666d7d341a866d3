import { randomBytes, randomInt } from "node:crypto";

/** 2^53: every meeting id the emulator hands out is above it, so a JS number cannot hold it. */
const ABOVE_SAFE_INTEGERS = 2n ** 53n;

export interface IdSource {
  /** An opaque secret: codes, access and refresh tokens, page tokens, start_url keys. */
  token(): string;
  /** The next meeting id, as decimal digits (int64, above 2^53). */
  meetingId(): string;
  /** A meeting uuid as Zoom spells it: base64 of 16 bytes. */
  uuid(): string;
  /** A meeting password from Zoom's alphabet, 10 characters at most. */
  password(): string;
}

export function createIdSource(): IdSource {
  // NB: always odd. Above 2^53 a double holds only even integers, so every id here is corrupted by
  // a naive JSON.parse: a client that does not parse ids safely fails on the first meeting.
  let next = ABOVE_SAFE_INTEGERS + 2n * BigInt(randomInt(1, 1_000_000)) + 1n;
  return {
    token: () => randomBytes(24).toString("base64url"),
    meetingId() {
      // NB: not consecutive, like Zoom's; clients must not guess the next id.
      next += 2n * BigInt(randomInt(1, 500));
      return next.toString();
    },
    uuid: () => randomBytes(16).toString("base64"),
    password: () =>
      randomBytes(6)
        .toString("base64url")
        .replace(/[^a-zA-Z0-9]/g, "x")
        .slice(0, 8),
  };
}

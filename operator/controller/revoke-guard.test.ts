import { describe, expect, it } from "vitest";
import { CREDENTIALS_RELEASE_AFTER_MS, credentialsGuardAction, needsGuard, REVOKE_GUARD } from "./revoke-guard.ts";

const NOW = Date.parse("2026-12-01T10:00:00Z");
const secret = (o: { guarded?: boolean; deletedMsAgo?: number } = {}) => ({
  metadata: {
    ...(o.guarded ? { finalizers: ["other/keep", REVOKE_GUARD] } : { finalizers: ["other/keep"] }),
    ...(o.deletedMsAgo === undefined ? {} : { deletionTimestamp: new Date(NOW - o.deletedMsAgo) }),
  },
});
const grant = Buffer.from("{}").toString("base64");

describe("the revoke guard", () => {
  it("is needed only with deletionPolicy Revoke and at least one grant in the tokens Secret", () => {
    expect(needsGuard(true, { data: { "grant.abc": grant } })).toBe(false); // not a valid grant: nothing to revoke
    expect(needsGuard(true, { data: {} })).toBe(false);
    expect(needsGuard(true, undefined)).toBe(false);
  });

  it.each([
    ["adds the guard to a live credentials Secret a tenant needs", secret(), secret(), true, "add"],
    ["keeps a guard that is in place and needed", secret({ guarded: true }), secret(), true, "keep"],
    ["releases a guard no tenant needs any more", secret({ guarded: true }), secret(), false, "release"],
    ["does nothing without a credentials Secret", undefined, secret(), true, "keep"],
    [
      "keeps the guard of a deleted credentials Secret while the tokens Secret is deleted too (the namespace goes)",
      secret({ guarded: true, deletedMsAgo: 60_000 }),
      secret({ deletedMsAgo: 59_000 }),
      true,
      "keep",
    ],
    [
      "waits before releasing a deleted credentials Secret: the namespace controller may not have reached the tokens Secret yet",
      secret({ guarded: true, deletedMsAgo: 1000 }),
      secret(),
      true,
      { releaseInMs: CREDENTIALS_RELEASE_AFTER_MS - 1000 },
    ],
    [
      "releases a credentials Secret the user deleted alone, after the grace period",
      secret({ guarded: true, deletedMsAgo: CREDENTIALS_RELEASE_AFTER_MS }),
      secret(),
      true,
      "release",
    ],
    ["never adds a guard to a Secret being deleted", secret({ deletedMsAgo: 1 }), secret(), true, "keep"],
  ])("%s", (_name, credentials, tokens, needed, expected) => {
    expect(credentialsGuardAction(credentials, tokens, needed, NOW)).toEqual(expected);
  });
});

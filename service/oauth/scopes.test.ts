import { describe, expect, it } from "vitest";
import { missingScopes, parseScopes } from "./scopes.ts";

const CLASSIC = ["meeting:read:admin", "meeting:write:admin", "user:read:admin"];
const GRANULAR = [
  "meeting:read:meeting:admin",
  "meeting:write:meeting:admin",
  "meeting:update:meeting:admin",
  "meeting:delete:meeting:admin",
  "user:read:user:admin",
  "user:read:list_users:admin",
];

describe("missingScopes", () => {
  it.each([
    ["classic scopes granted exactly are complete", CLASSIC, CLASSIC, []],
    ["a classic app lacking meeting:write:admin misses it", CLASSIC, ["meeting:read:admin", "user:read:admin"], ["meeting:write:admin"]],
    ["granular scopes satisfy classic requirements", CLASSIC, GRANULAR, []],
    [
      "a granular app without delete names the missing delete scope",
      CLASSIC,
      GRANULAR.filter((s) => s !== "meeting:delete:meeting:admin"),
      ["meeting:delete:meeting:admin"],
    ],
    ["granular requirements are satisfied by the covering classic scope", GRANULAR, CLASSIC, []],
    ["an unknown required scope is missing unless granted", [...CLASSIC, "recording:read:admin"], CLASSIC, ["recording:read:admin"]],
    ["nothing granted misses every requirement by its own name", CLASSIC, [], CLASSIC],
  ])("%s", (_name, required, granted, missing) => {
    expect(missingScopes(required, granted)).toEqual(missing);
  });

  it("parses Zoom's space-separated scope (and commas)", () => {
    expect(parseScopes("a:read  b:write,c:read a:read")).toEqual(["a:read", "b:write", "c:read"]);
    expect(parseScopes(undefined)).toEqual([]);
  });
});

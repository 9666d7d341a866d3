import { describe, expect, it } from "vitest";
import { afterConnectUrl, ReturnPath } from "./return-url.ts";

describe("the return path", () => {
  it.each(["//evil.example/x", "/\\evil.example", "https://evil.example", "evil", "/a b", "/a#frag", "/\u0000x", " /x", "/ünicode"])(
    "refuses %j, which could leave the booking app",
    (path) => {
      expect(ReturnPath.safeParse(path).success).toBe(false);
    },
  );

  it("accepts a path with a query and always lands on the booking app's origin", () => {
    expect(ReturnPath.parse("/settings/zoom?tab=1")).toBe("/settings/zoom?tab=1");
    expect(afterConnectUrl("https://app.acme.example", "/settings/zoom?tab=1", { zoom: "connected" })).toBe(
      "https://app.acme.example/settings/zoom?tab=1&zoom=connected",
    );
    expect(afterConnectUrl("https://app.acme.example", "/x", { zoom: "error", reason: "missing_scopes" })).toBe(
      "https://app.acme.example/x?zoom=error&reason=missing_scopes",
    );
  });
});

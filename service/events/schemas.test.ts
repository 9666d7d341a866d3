import { describe, expect, it } from "vitest";
import { EndpointRequest } from "./schemas.ts";

describe("the endpoint registration's schema", () => {
  it("refuses what is not an http(s) URL without credentials or fragment, and never throws", () => {
    for (const url of ["", "not a url", "ftp://x.test/", "https://u:p@x.test/", "https://x.test/#f", "http://"])
      expect(EndpointRequest.safeParse({ url }).success).toBe(false);
    expect(EndpointRequest.safeParse({ url: "https://app.acme.example/api/zoom-events?tenant=1" }).success).toBe(true);
  });
});

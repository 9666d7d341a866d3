import { describe, expect, it } from "vitest";
import { openApiDocument } from "./document.ts";

type Json = Record<string, unknown>;

describe("the OpenAPI document", () => {
  it("documents 413 on every operation that takes a body (the fuzzer found one that did not)", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, Json>>;
    const withBody = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.requestBody !== undefined)
        .map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, statuses: Object.keys(op.responses as Json) })),
    );
    expect(withBody.length).toBeGreaterThan(5);
    expect(withBody.filter((o) => !o.statuses.includes("413")).map((o) => o.at)).toEqual([]);
  });
});

import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { electionProblem } from "./leader-election.ts";

const api = (code: number) => new ApiException(code, "message", "{}", {});
const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });

describe("electionProblem", () => {
  const cases: [string, "get" | "create" | "update", unknown, RegExp | undefined][] = [
    ["a create refused with 404 means the namespace is missing", "create", api(404), /the namespace zis does not exist.*Lease zis\/lead/],
    [
      "a 403 names the verb, the Lease and the permission",
      "update",
      api(403),
      /refused to update the Lease zis\/lead \(403\).*leases.coordination.k8s.io in zis/,
    ],
    ["another status is named", "get", api(500), /answered 500 to get the Lease zis\/lead/],
    ["no answer names the network error", "get", refused, /cannot reach the API server to get the Lease zis\/lead \(ECONNREFUSED\)/],
    ["a conflict is the election working (another candidate wrote first): no problem", "update", api(409), undefined],
  ];
  it.each(cases)("%s", (_name, verb, error, message) => {
    const problem = electionProblem(verb, error, "zis", "lead");
    if (message) expect(problem?.message).toMatch(message);
    else expect(problem).toBeUndefined();
  });

  it("gives the same key to the same problem and a different one to another, so each is logged once", () => {
    expect(electionProblem("create", api(404), "zis", "lead")?.key).toBe(electionProblem("create", api(404), "zis", "lead")?.key);
    expect(electionProblem("create", api(404), "zis", "lead")?.key).not.toBe(electionProblem("update", api(403), "zis", "lead")?.key);
  });
});

import { describe, expect, it } from "vitest";
import { ConditionStatus, Reason } from "../../common/api/constants.ts";
import type { Condition } from "../../common/api/kube-schemas.ts";
import { transitions } from "./status.ts";

const c = (type: string, status: string, reason: string): Condition =>
  ({ type, status, reason, message: "m", lastTransitionTime: "2026-12-02T00:00:00Z", observedGeneration: 1 }) as Condition;

describe("transitions (each is one Event)", () => {
  it("makes a condition's first value an Event only when it is a warning", () => {
    const first = [
      c("CredentialsValid", ConditionStatus.True, "SecretsFound"),
      c("ServiceAvailable", ConditionStatus.False, Reason.DeploymentProgressing),
      c("Routed", ConditionStatus.False, Reason.IngressPending),
      c("Connected", ConditionStatus.False, Reason.AwaitingAuthorization),
      c("Ready", ConditionStatus.False, Reason.SecretNotFound),
    ];
    expect(transitions(undefined, first).map((t) => `${t.warning ? "Warning" : "Normal"}/${t.type}/${t.reason}`)).toEqual([
      "Warning/Ready/SecretNotFound",
    ]);
  });

  it("makes every later change of status or reason an Event, benign or not", () => {
    const before = [c("ServiceAvailable", ConditionStatus.False, Reason.DeploymentProgressing), c("Ready", ConditionStatus.False, "X")];
    const after = [c("ServiceAvailable", ConditionStatus.True, Reason.DeploymentAvailable), c("Ready", ConditionStatus.False, "X")];
    expect(transitions(before, after).map((t) => [t.type, t.reason, t.warning])).toEqual([
      ["ServiceAvailable", Reason.DeploymentAvailable, false],
    ]);
    const back = [c("ServiceAvailable", ConditionStatus.False, Reason.DeploymentProgressing)];
    expect(transitions(after, back).map((t) => [t.type, t.reason, t.warning])).toEqual([
      ["ServiceAvailable", Reason.DeploymentProgressing, false],
    ]);
  });
});

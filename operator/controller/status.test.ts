import { describe, expect, it } from "vitest";
import { ConditionStatus, ConditionType, Reason } from "../../common/api/constants.ts";
import type { Condition } from "../../common/api/kube-schemas.ts";
import { computeStatus, type Observed, transitions } from "./status.ts";

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

  it("makes a later change an Event for Ready and Connected, for a warning and for the recovery from one; progress stays in the status", () => {
    const before = [c("ServiceAvailable", ConditionStatus.False, Reason.DeploymentProgressing), c("Ready", ConditionStatus.False, "X")];
    const after = [c("ServiceAvailable", ConditionStatus.True, Reason.DeploymentAvailable), c("Ready", ConditionStatus.True, "Y")];
    expect(transitions(before, after).map((t) => [t.type, t.reason, t.warning])).toEqual([["Ready", "Y", false]]);
    const broken = [c("ServiceAvailable", ConditionStatus.False, "DeploymentUnavailable"), c("Ready", ConditionStatus.True, "Y")];
    expect(transitions(after, broken).map((t) => [t.type, t.reason, t.warning])).toEqual([
      ["ServiceAvailable", "DeploymentUnavailable", true],
    ]);
    expect(transitions(broken, after).map((t) => [t.type, t.reason, t.warning])).toEqual([
      ["ServiceAvailable", Reason.DeploymentAvailable, false],
    ]);
    const awaiting = [c("Connected", ConditionStatus.False, Reason.AwaitingAuthorization)];
    expect(transitions(awaiting, [c("Connected", ConditionStatus.True, "GrantActive")]).map((t) => t.reason)).toEqual(["GrantActive"]);
    const found = [c("CredentialsValid", ConditionStatus.True, "CredentialsFound")];
    expect(transitions(found, [c("CredentialsValid", ConditionStatus.True, Reason.ZoomAcceptedCredentials)])).toEqual([]);
  });
});

describe("CredentialsValid while Zoom's verdict is not known", () => {
  const zi = (reason: string, status: string = ConditionStatus.True) =>
    ({
      metadata: { name: "t", namespace: "ns", generation: 1 },
      spec: { domain: "t.example", credentialsSecretRef: { name: "t-creds" }, routing: {} },
      status: { conditions: [c(ConditionType.CredentialsValid, status, reason)] },
    }) as unknown as Observed["zi"];
  const credentialsValid = (z: Observed["zi"], zoomVerdict: Observed["zoomVerdict"]) =>
    computeStatus(
      {
        zi: z,
        credentials: { ok: true, checksum: "x" } as Observed["credentials"],
        deployment: undefined,
        route: { mode: "ingress", ingress: undefined },
        tokens: undefined,
        endpoint: "http://t-zoom.ns.svc:8081",
        apiTokenSecretName: "t-zoom-api-token",
        ...(zoomVerdict ? { zoomVerdict } : {}),
      },
      new Date("2026-12-02T00:00:00Z"),
    ).conditions?.find((x) => x.type === ConditionType.CredentialsValid);

  it("keeps Zoom's last verdict from the status (a restart: no write, no Event)", () => {
    expect(credentialsValid(zi(Reason.ZoomAcceptedCredentials), { state: "unknown" })?.reason).toBe(Reason.ZoomAcceptedCredentials);
    const rejected = credentialsValid(zi(Reason.ZoomRejectedCredentials, ConditionStatus.False), { state: "unknown" });
    expect([rejected?.status, rejected?.reason]).toEqual([ConditionStatus.False, Reason.ZoomRejectedCredentials]);
  });

  it("drops it when the credentials changed since, and says only that they were found", () => {
    const changed = credentialsValid(zi(Reason.ZoomRejectedCredentials, ConditionStatus.False), {
      state: "unknown",
      credentialsChanged: true,
    });
    expect([changed?.status, changed?.reason]).toEqual([ConditionStatus.True, Reason.CredentialsFound]);
    expect(credentialsValid(zi(Reason.CredentialsFound), { state: "unknown" })?.reason).toBe(Reason.CredentialsFound);
  });

  it("gives a new verdict as soon as Zoom answered", () => {
    const accepted = credentialsValid(zi(Reason.ZoomRejectedCredentials, ConditionStatus.False), { state: "accepted" });
    expect([accepted?.status, accepted?.reason]).toEqual([ConditionStatus.True, Reason.ZoomAcceptedCredentials]);
  });
});

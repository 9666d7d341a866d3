import { describe, expect, it } from "vitest";
import { STATE_KEY_OVERLAP_SECONDS } from "../../common/api/constants.ts";
import { challengeOf } from "./pkce.ts";
import { FLOW_TTL_MS, issueState, issueTicket, openState, openTicket } from "./flow-state.ts";

const key = "state-key-for-tests";
const keys = { current: key };
const now = Date.parse("2025-03-10T09:00:00Z");

function flow() {
  const { ticket } = issueTicket(key, { org: "org-1", returnPath: "/settings/zoom" }, now);
  const opened = openTicket(keys, ticket, now);
  if (!("ok" in opened)) throw new Error("ticket did not open");
  return { ticket, issued: issueState(key, opened.ok, now) };
}

describe("the sealed start ticket and OAuth state", () => {
  it("round-trips the organization, return path and PKCE verifier in the browser that started the flow", () => {
    const { issued } = flow();
    const opened = openState(keys, issued.state, issued.cookieValue, now + 60_000);
    expect("ok" in opened && opened.ok).toMatchObject({ org: "org-1", returnPath: "/settings/zoom", verifier: issued.pkce.verifier });
    expect(issued.pkce.challenge).toBe(challengeOf(issued.pkce.verifier));
    expect(issued.state).not.toContain("org-1");
  });

  it("refuses a state with any byte changed", () => {
    const { issued } = flow();
    const raw = Buffer.from(issued.state, "base64url");
    for (const i of [0, 5, 20, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[i] = (tampered[i] ?? 0) ^ 1;
      expect(openState(keys, tampered.toString("base64url"), issued.cookieValue, now)).toEqual({ failure: "invalid_state" });
    }
  });

  it("refuses a state sealed with another key, and a ticket presented as a state", () => {
    const { ticket, issued } = flow();
    expect(openState({ current: "another-key" }, issued.state, issued.cookieValue, now)).toEqual({ failure: "invalid_state" });
    expect(openState(keys, ticket, issued.cookieValue, now)).toEqual({ failure: "invalid_state" });
  });

  it("refuses a state after ten minutes", () => {
    const { issued } = flow();
    expect(openState(keys, issued.state, issued.cookieValue, now + FLOW_TTL_MS)).toEqual({ failure: "expired_state" });
  });

  it("refuses a state in a browser without the binding cookie or with another one", () => {
    const { issued } = flow();
    expect(openState(keys, issued.state, undefined, now)).toEqual({ failure: "browser_mismatch" });
    expect(openState(keys, issued.state, flow().issued.cookieValue, now)).toEqual({ failure: "browser_mismatch" });
  });

  it("refuses an expired ticket", () => {
    const { ticket } = issueTicket(key, { org: "org-1" }, now);
    expect(openTicket(keys, ticket, now + FLOW_TTL_MS + 1)).toEqual({ failure: "expired_state" });
  });

  it("opens a flow started before a state-key rotation, until the previous key is dropped", () => {
    const { ticket } = issueTicket(key, { org: "org-1" }, now);
    const rotated = { current: "the-next-state-key", previous: key };
    const opened = openTicket(rotated, ticket, now);
    if (!("ok" in opened)) throw new Error("the ticket sealed with the previous key did not open");
    const issued = issueState(rotated.current, opened.ok, now);
    expect(openState({ current: rotated.current }, issued.state, issued.cookieValue, now)).toMatchObject({ ok: { org: "org-1" } });
    expect(openTicket({ current: rotated.current }, ticket, now)).toEqual({ failure: "invalid_state" });
  });

  it("keeps the sealed values' lifetime well inside the operator's state-key overlap", () => {
    expect(FLOW_TTL_MS * 2).toBeLessThanOrEqual(STATE_KEY_OVERLAP_SECONDS * 1000);
  });
});

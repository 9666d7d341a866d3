import { describe, expect, it } from "vitest";
import { buildEvent, EVENT_MESSAGE_LIMIT_BYTES, type EventProps } from "./events.ts";

const props: EventProps = {
  involvedObject: { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: "acme", namespace: "tenants", uid: "u-1" },
  type: "Warning",
  reason: "SecretNotFound",
  message: "the credentials Secret acme-creds does not exist",
  action: "Reconcile",
  component: "zoom-integration-operator",
  instance: "operator-7d9f-abcde",
  time: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
};

describe("buildEvent", () => {
  it("builds a core/v1 Event about the object, named after it, in its namespace, reported by the component and its pod", () => {
    expect(buildEvent(props)).toEqual({
      apiVersion: "v1",
      kind: "Event",
      metadata: { generateName: "acme.", namespace: "tenants" },
      involvedObject: { apiVersion: "bookingops.dev/v1alpha1", kind: "ZoomIntegration", name: "acme", namespace: "tenants", uid: "u-1" },
      type: "Warning",
      reason: "SecretNotFound",
      message: "the credentials Secret acme-creds does not exist",
      action: "Reconcile",
      source: { component: "zoom-integration-operator" },
      reportingComponent: "zoom-integration-operator",
      reportingInstance: "operator-7d9f-abcde",
      firstTimestamp: "2025-01-02T03:04:05.678Z",
      lastTimestamp: "2025-01-02T03:04:05.678Z",
      eventTime: "2025-01-02T03:04:05.678000Z",
      count: 1,
    });
  });

  it("writes eventTime with exactly six fractional digits, which is all the API server accepts for a MicroTime", () => {
    expect(buildEvent({ ...props, time: Date.UTC(2025, 5, 6, 7, 8, 9, 0) }).eventTime).toBe("2025-06-06T07:08:09.000000Z");
  });

  it("leaves uid out when the object's uid is not known", () => {
    const event = buildEvent({ ...props, involvedObject: { ...props.involvedObject, uid: undefined } });
    expect(event.involvedObject).toEqual({
      apiVersion: "bookingops.dev/v1alpha1",
      kind: "ZoomIntegration",
      name: "acme",
      namespace: "tenants",
    });
  });

  it("keeps a message within the limit as it is", () => {
    const message = "x".repeat(EVENT_MESSAGE_LIMIT_BYTES);
    expect(buildEvent({ ...props, message }).message).toBe(message);
  });

  it("cuts a long message to 1024 characters", () => {
    expect(buildEvent({ ...props, message: "y".repeat(5000) }).message).toBe("y".repeat(1024));
  });

  it("cuts a message of multi-byte characters to 1024 UTF-8 bytes without splitting a character", () => {
    const fits = buildEvent({ ...props, message: `${"a".repeat(1022)}äö` }).message; // "ä" ends at byte 1024
    expect(fits).toBe(`${"a".repeat(1022)}ä`);
    const cut = buildEvent({ ...props, message: `${"a".repeat(1023)}äö` }).message; // byte 1024 is half an "ä"
    expect(cut).toBe("a".repeat(1023));
    expect(Buffer.byteLength(cut, "utf8")).toBeLessThanOrEqual(EVENT_MESSAGE_LIMIT_BYTES);
  });
});

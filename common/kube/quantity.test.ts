import { describe, expect, it } from "vitest";
import { isQuantity, QUANTITY_PATTERN, quantityValue, resourceQuantityProblem } from "./quantity.ts";

describe("the quantity grammar (the API server's)", () => {
  it.each(["1", "0.5", ".5", "5.", "500m", "250000u", "100n", "1k", "128Mi", "1Gi", "1e3", "1E-3", "+1", "-1", "1.5e+2"])(
    "accepts %s, as the API server does",
    (q) => expect(isQuantity(q)).toBe(true),
  );

  it.each(["", "lots", "256MB", "1.5.5", "1 Gi", "Mi", "1KI", "1mi", "e3", "--1", "1e", "0x10"])(
    "refuses %j, as the API server does",
    (q) => expect(isQuantity(q)).toBe(false),
  );

  it("publishes the pattern Kubernetes uses for Quantity in its OpenAPI", () => {
    expect(QUANTITY_PATTERN).toBe(
      "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
    );
  });

  it("compares quantities by value", () => {
    expect(quantityValue("250000u")).toBeCloseTo(0.25);
    expect(quantityValue("0.5")).toBe(quantityValue("500m"));
    expect(quantityValue("1024Mi")).toBe(quantityValue("1Gi"));
    expect(quantityValue("1e3")).toBe(1000);
    expect(quantityValue("lots")).toBeNaN();
  });

  it("refuses negative resource quantities with a message naming the value", () => {
    expect(resourceQuantityProblem("250000u")).toBeUndefined();
    expect(resourceQuantityProblem("-1")).toBe('must not be negative, got "-1"');
    expect(resourceQuantityProblem("256MB")).toBe('must be a Kubernetes quantity such as 100m or 64Mi, got "256MB"');
  });
});

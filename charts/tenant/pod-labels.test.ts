import { describe, expect, it } from "vitest";
import { renderTenant } from "./render.ts";
import { minimalProps, only } from "./test-fixtures.ts";

describe("pod labels from the spec", () => {
  it("adds extra labels to the pod template but never lets them replace the selector labels", () => {
    const objects = renderTenant(minimalProps({ podLabels: { team: "bookings", "app.kubernetes.io/instance": "hijack" } }));
    const deployment = only(objects, "Deployment") as unknown as {
      spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } };
    };
    const labels = deployment.spec.template.metadata.labels;
    expect(labels["team"]).toBe("bookings");
    expect(labels["app.kubernetes.io/instance"]).toBe("acme");
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
  });
});

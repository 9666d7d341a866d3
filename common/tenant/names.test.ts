import { describe, expect, it } from "vitest";
import {
  appHost,
  PUBLIC_PATH_PREFIX,
  REDIRECT_PATH,
  START_PATH,
  selectorLabels,
  tenantLabels,
  tenantNames,
  WEBHOOK_PATH,
} from "./names.ts";

describe("names", () => {
  it("names every child <name>-zoom except the tokens and api-token Secrets and the state ConfigMap", () => {
    expect(tenantNames("acme")).toEqual({
      serviceAccount: "acme-zoom",
      role: "acme-zoom",
      roleBinding: "acme-zoom",
      deployment: "acme-zoom",
      service: "acme-zoom",
      ingress: "acme-zoom",
      httpRoute: "acme-zoom",
      networkPolicy: "acme-zoom",
      podDisruptionBudget: "acme-zoom",
      tokensSecret: "acme-zoom-tokens",
      apiTokenSecret: "acme-zoom-api-token",
      stateConfigMap: "acme-zoom-state",
    });
  });

  it("keeps the public paths of the service apart from the booking app's pages", () => {
    expect(REDIRECT_PATH).toBe("/organization/integration/zoom/redirect");
    expect(START_PATH).toBe("/zoom-integration/start");
    expect(WEBHOOK_PATH).toBe("/zoom-integration/webhook");
    expect(START_PATH.startsWith(PUBLIC_PATH_PREFIX) && WEBHOOK_PATH.startsWith(PUBLIC_PATH_PREFIX)).toBe(true);
    expect(appHost("acme.example")).toBe("app.acme.example");
  });

  it("selects by the name and instance labels, a subset of the labels every object carries", () => {
    expect(selectorLabels("acme")).toEqual({ "app.kubernetes.io/name": "zoom-integration-service", "app.kubernetes.io/instance": "acme" });
    expect(tenantLabels("acme")).toMatchObject(selectorLabels("acme"));
    expect(tenantLabels("acme")["bookingops.dev/zoom-integration"]).toBe("acme");
  });
});

import { describe, expect, it } from "vitest";
import { renderTenant } from "./render.ts";
import { field, fullProps, minimalProps, only } from "./test-fixtures.ts";

const podSpec = (props = minimalProps()) => field(only(renderTenant(props), "Deployment"), "spec.template.spec");
const env = (props = minimalProps()) => podSpec(props).containers[0].env;

describe("the service's env contract", () => {
  it("sets every variable of the contract in order, with the pod's name and namespace from the downward API", () => {
    expect(env()).toEqual([
      { name: "ZOOM_INTEGRATION_NAME", value: "acme" },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } } },
      { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
      { name: "ZOOM_DOMAIN", value: "acme.example" },
      { name: "ZOOM_AFTER_CONNECT_PATH", value: "/organization/integration/zoom" },
      { name: "ZOOM_REQUIRED_SCOPES", value: "meeting:read:admin meeting:write:admin user:read:admin" },
      { name: "ZOOM_OAUTH_BASE_URL", value: "https://zoom.us" },
      { name: "ZOOM_API_BASE_URL", value: "https://api.zoom.us" },
      { name: "ZOOM_TOKENS_SECRET", value: "acme-zoom-tokens" },
      { name: "ZOOM_STATE_CONFIGMAP", value: "acme-zoom-state" },
      { name: "PUBLIC_PORT", value: "8080" },
      { name: "API_PORT", value: "8081" },
      { name: "METRICS_PORT", value: "9090" },
      { name: "ZOOM_CREDENTIALS_DIR", value: "/var/run/zoom/credentials" },
      { name: "ZOOM_API_TOKEN_DIR", value: "/var/run/zoom/api" },
      { name: "NODE_OPTIONS", value: "--max-old-space-size-percentage=40 --max-semi-space-size=1" },
    ]);
  });

  it("sleeps in preStop (the image has no shell) within a grace period that covers the service's drain", () => {
    const pod = podSpec();
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  it("adds the webhook secret file only when a webhook Secret is given", () => {
    const names = (props: ReturnType<typeof minimalProps>) => env(props).map((e: { name: string }) => e.name);
    expect(names(minimalProps())).not.toContain("ZOOM_WEBHOOK_SECRET_FILE");
    expect(env(fullProps()).at(-1)).toEqual({ name: "ZOOM_WEBHOOK_SECRET_FILE", value: "/var/run/zoom/webhook/secret-token" });
  });

  it("passes the overridden after-connect path and Zoom URLs through", () => {
    const values = Object.fromEntries(env(fullProps()).map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(values["ZOOM_AFTER_CONNECT_PATH"]).toBe("/settings/integrations");
    expect(values["ZOOM_OAUTH_BASE_URL"]).toBe("http://zoom-emulator.test.svc:9000");
    expect(values["ZOOM_API_BASE_URL"]).toBe("http://zoom-emulator.test.svc:9000/api");
  });
});

describe("the service's mount contract", () => {
  it("maps the credentials keys to client-id and client-secret, read-only, mode 0440", () => {
    expect(podSpec(fullProps()).volumes).toContainEqual({
      name: "credentials",
      secret: {
        secretName: "zoom-oauth-client",
        items: [
          { key: "id", path: "client-id" },
          { key: "secret", path: "client-secret" },
        ],
        defaultMode: 0o440,
      },
    });
  });

  it("mounts /tmp, the credentials and the api token, and the webhook token only when given", () => {
    expect(podSpec().containers[0].volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "credentials", mountPath: "/var/run/zoom/credentials", readOnly: true },
      { name: "api-token", mountPath: "/var/run/zoom/api", readOnly: true },
    ]);
    expect(podSpec(fullProps()).containers[0].volumeMounts.at(-1)).toEqual({
      name: "webhook-secret",
      mountPath: "/var/run/zoom/webhook",
      readOnly: true,
    });
  });

  it("renders the volumes behind those mounts", () => {
    expect(podSpec(fullProps()).volumes).toEqual([
      { name: "tmp", emptyDir: {} },
      expect.objectContaining({ name: "credentials" }),
      {
        name: "api-token",
        secret: {
          secretName: "acme-zoom-api-token",
          items: [
            { key: "token", path: "token" },
            { key: "state-key", path: "state-key" },
            { key: "previous-token", path: "previous-token" },
            { key: "previous-token-expires-at", path: "previous-token-expires-at" },
            { key: "previous-state-key", path: "previous-state-key" },
            { key: "previous-state-key-expires-at", path: "previous-state-key-expires-at" },
          ],
          defaultMode: 0o440,
        },
      },
      {
        name: "webhook-secret",
        secret: { secretName: "zoom-webhook", items: [{ key: "token", path: "secret-token" }], defaultMode: 0o440 },
      },
    ]);
  });

  it("uses the default credentials and webhook keys when none are given", () => {
    const props = minimalProps({ webhookSecret: { name: "zoom-webhook" } });
    const volumes = podSpec(props).volumes;
    expect(volumes[1].secret.items).toEqual([
      { key: "clientId", path: "client-id" },
      { key: "clientSecret", path: "client-secret" },
    ]);
    expect(volumes[3].secret.items).toEqual([{ key: "secretToken", path: "secret-token" }]);
  });
});

import { createServer } from "node:net";
import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { errors as undiciErrors } from "undici";
import { describe, expect, it } from "vitest";
import { InvalidTenantPropsError } from "../charts/tenant/validate-props.ts";
import { KubeHttpError, rawRequest } from "../common/kube/raw-client.ts";
import { RevokeErrorCode, ZoomRevokeError } from "../common/zoom/revoke.ts";
import { childApplyFailed, classify, ReconcileError, ReconcileReason } from "./errors.ts";

const apiException = (code: number) => new ApiException(code, "message", "{}", {});
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("classify", () => {
  const cases: [string, unknown, ReconcileReason][] = [
    ["a 403 from the raw client (RBAC withdrawn) is Forbidden", new KubeHttpError(403, "{}", "PATCH /x"), "Forbidden"],
    ["a 403 from client-node is Forbidden", apiException(403), "Forbidden"],
    ["a 409 is a Conflict", new KubeHttpError(409, "{}", "PATCH /x"), "Conflict"],
    ["a 422 (an admission webhook refused the object) is Invalid", apiException(422), "Invalid"],
    ["a 404 is a KubernetesApiError", new KubeHttpError(404, "{}", "PATCH /x"), "KubernetesApiError"],
    ["a 500 is a KubernetesApiError", apiException(500), "KubernetesApiError"],
    ["a 503 means the API server is unavailable", new KubeHttpError(503, "", "GET /x"), "KubernetesUnavailable"],
    ["undici's connect timeout is KubernetesUnavailable", new undiciErrors.ConnectTimeoutError(), "KubernetesUnavailable"],
    ["undici's headers timeout is KubernetesUnavailable", new undiciErrors.HeadersTimeoutError(), "KubernetesUnavailable"],
    ["undici's socket error is KubernetesUnavailable", new undiciErrors.SocketError("other side closed"), "KubernetesUnavailable"],
    [
      "fetch's TypeError wrapping ECONNREFUSED is KubernetesUnavailable",
      new TypeError("fetch failed", { cause: withCode("connect ECONNREFUSED 127.0.0.1:6443", "ECONNREFUSED") }),
      "KubernetesUnavailable",
    ],
    ["an aborted request (TimeoutError) is KubernetesUnavailable", new DOMException("timed out", "TimeoutError"), "KubernetesUnavailable"],
    ["a spec the chart cannot render is InvalidSpec", new InvalidTenantPropsError(["routing.ingress.host: bad"]), "InvalidSpec"],
    ["a failed revoke at Zoom is RevokeFailed", new ZoomRevokeError(RevokeErrorCode.Unavailable, "Zoom did not answer"), "RevokeFailed"],
    ["a TypeError of our own is Unexpected", new TypeError("cannot read properties of undefined"), "Unexpected"],
    ["a thrown string is Unexpected", "boom", "Unexpected"],
    ["an unknown string code is Unexpected", withCode("odd", "ESOMETHING"), "Unexpected"],
  ];
  it.each(cases)("%s", (_name, error, reason) => {
    const classified = classify(error);
    expect(classified.reason).toBe(reason);
    expect(classified.cause).toBe(error);
  });

  it("keeps an error that is already classified as it is", () => {
    const error = new ReconcileError("RevokeFailed", "revoking failed", { retryable: true });
    expect(classify(error)).toBe(error);
  });

  it("does not retry a spec the chart cannot render, and retries API failures", () => {
    expect(classify(new InvalidTenantPropsError(["x"])).retryable).toBe(false);
    expect(classify(apiException(403)).retryable).toBe(true);
  });

  it("names a failed child apply by its message and gives it the reason of its cause", () => {
    const error = childApplyFailed("applying Deployment acme-zoom failed", new KubeHttpError(403, "{}", "PATCH /x"));
    expect(error).toMatchObject({ reason: "Forbidden", message: "applying Deployment acme-zoom failed" });
  });

  it("uses only PascalCase reasons, each documented once", () => {
    for (const [key, value] of Object.entries(ReconcileReason)) {
      expect(value).toBe(key);
      expect(value).toMatch(/^[A-Z][A-Za-z]+$/);
    }
  });
});

describe("classify on real network failures", () => {
  /** A port on 127.0.0.1 that nothing listens on (taken, then released). */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    return typeof address === "object" && address ? address.port : 0;
  }
  const kubeConfigFor = (port: number) => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    return kc;
  };

  it("calls a refused connection of the raw client KubernetesUnavailable", async () => {
    const error = await rawRequest(kubeConfigFor(await closedPort()), { method: "GET", path: "/api" }).catch((e: unknown) => e);
    expect(classify(error).reason).toBe("KubernetesUnavailable");
  });

  it("calls a refused connection of client-node KubernetesUnavailable", async () => {
    const api = kubeConfigFor(await closedPort()).makeApiClient(CoreV1Api);
    const error = await api.readNamespace({ name: "default" }).catch((e: unknown) => e);
    expect(classify(error).reason).toBe("KubernetesUnavailable");
  });
});

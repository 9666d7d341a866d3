import { describe, expect, it } from "vitest";
import { KubeHttpError } from "../../common/kube/raw-client.ts";
import { ErrorCode } from "../errors.ts";
import { toServiceError } from "./error-middleware.ts";

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe("an error of the Kubernetes API server reaching the error middleware", () => {
  it.each([
    ["a 503 answer", new KubeHttpError(503, "", "GET /api/v1/...")],
    ["a 429 answer", new KubeHttpError(429, "", "PUT /api/v1/...")],
    ["a 403 answer (a restarted API server whose RBAC caches are not synced yet)", new KubeHttpError(403, "", "GET /api/v1/...")],
    ["a refused connection, as the cause of a fetch failure", new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") })],
    ["a reset connection", withCode("ECONNRESET")],
    ["undici's headers timeout", withCode("UND_ERR_HEADERS_TIMEOUT")],
  ])("is a 503 KUBERNETES_UNAVAILABLE with Retry-After for %s", (_name, error) => {
    const e = toServiceError(error);
    expect(e).toMatchObject({ code: ErrorCode.KubernetesUnavailable, status: 503 });
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
  });

  it.each([
    ["a 404 answer", new KubeHttpError(404, "", "GET")],
    ["a 422 answer", new KubeHttpError(422, "", "PUT")],
    ["a plain bug", new Error("undefined is not a function")],
  ])("stays a 500 INTERNAL for %s (a bug, not an outage)", (_name, error) => {
    expect(toServiceError(error).code).toBe(ErrorCode.Internal);
  });
});

// "Routed means routed", against the real API server: the test plays the ingress controller and the
// Gateway controller by writing their status subresources, and the operator must follow. Also: a
// cluster without the Gateway API (gateway mode says so, Ingress mode is unaffected) that gets its
// CRDs later, and switching routing modes. Real Traefik writing these statuses: routing-traefik.test.ts.
import { NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../../common/kube/raw-client.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { gatewayApiCrdFiles } from "../cluster/traefik.ts";
import { clusterEnv, kubectl, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { counterSum, startOperator, type OperatorProcess } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

let operator: OperatorProcess;
const ns = useNamespace("routing", () => operator?.lines.slice(-80).join("\n") ?? "");
const kc = () => clusterEnv().kc;
const names = tenantNames("acme");
const GATEWAY = { parentRefs: [{ name: "edge", namespace: "gateways", sectionName: "https" }] };

const routedIs = async (status: string, reason: string, message?: RegExp) => {
  const zi = await ziApi(kc()).get(ns.name, "acme");
  const routed = condition(zi, "Routed");
  expect(routed, JSON.stringify(zi.status?.conditions)).toMatchObject({ status, reason });
  if (message) expect(routed?.message).toMatch(message);
  return zi;
};
const routedTrue = async (reason: string) => {
  const zi = await routedIs("True", reason);
  expect(condition(zi, "Ready")?.status).toBe("True");
};
const exists = async (plural: string, name: string) => (await kubectl(["get", "-n", ns.name, plural, name])).code === 0;
const httpRoutesServed = async () =>
  (await kubectl(["api-resources", "--api-group=gateway.networking.k8s.io", "-o", "name"])).stdout.includes("httproutes");

async function patchStatus(path: string, status: unknown) {
  await rawRequest(kc(), { method: "PATCH", path: `${path}/status`, contentType: "application/merge-patch+json", body: { status } });
}

function parentStatus(accepted: [string, string, string], resolved: [string, string, string], generation: number) {
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const cond = ([status, reason, message]: [string, string, string], type: string) => ({
    type,
    status,
    reason,
    message,
    observedGeneration: generation,
    lastTransitionTime: at,
  });
  return {
    parents: [
      {
        parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", ...GATEWAY.parentRefs[0] },
        controllerName: "example.com/test-gateway-controller",
        conditions: [cond(accepted, "Accepted"), cond(resolved, "ResolvedRefs")],
      },
    ],
  };
}

beforeAll(async () => {
  await createCredentials(kc(), ns.name, "acme-creds");
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "routing",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600" },
  });
});
afterAll(async () => operator?.stop());

describe("Routed means routed", () => {
  it("in Ingress mode, Routed and Ready wait until an ingress controller publishes an address for the Ingress", async () => {
    // NB: a class nothing in the test bed answers for (ingress-admitter.ts admits class-less Ingresses only).
    await ziApi(kc()).create(ns.name, zoomIntegration("acme", { routing: { ingress: { className: "unclaimed" } } }));
    await eventually(() => routedIs("False", "IngressPending", /no ingress controller has admitted Ingress acme-zoom/), {
      timeout: 60_000,
    });
    expect(condition(await ziApi(kc()).get(ns.name, "acme"), "Ready")?.status).toBe("False");

    await patchStatus(`/apis/networking.k8s.io/v1/namespaces/${ns.name}/ingresses/${names.ingress}`, {
      loadBalancer: { ingress: [{ ip: "192.0.2.10" }] },
    });
    await eventually(() => routedTrue("IngressAdmitted"), { timeout: 30_000 });
    expect(condition(await ziApi(kc()).get(ns.name, "acme"), "Routed")?.message).toContain("192.0.2.10");
  });

  it("in Gateway mode without the Gateway API CRDs, says GatewayAPIUnavailable, and picks the CRDs up once installed", async () => {
    const servedAlready = await httpRoutesServed();
    await ziApi(kc()).patch(ns.name, "acme", { spec: { routing: { ingress: null, gateway: GATEWAY } } });
    if (!servedAlready) {
      // NB: the plane is shared: an earlier file of this run may have installed the CRDs already.
      await eventually(() => routedIs("False", "GatewayAPIUnavailable", /install its CRDs/), { timeout: 30_000 });
      expect(await exists("ingress", names.ingress), "the Ingress of the previous mode is gone").toBe(false);
      const files = await gatewayApiCrdFiles();
      const applied = await kubectl(["apply", "--server-side", ...files.flatMap((f) => ["-f", f])]);
      expect(applied.code, applied.stderr).toBe(0);
    } else {
      console.log("[note] the Gateway API CRDs were already installed on this plane: the pick-up path was not exercised");
    }
    await eventually(() => routedIs("False", "RoutePending", /gateways\/edge#https has not accepted/), { timeout: 60_000 });
    expect(await exists("ingress", names.ingress), "no Ingress in Gateway mode").toBe(false);
  });

  it("in Gateway mode, Routed copies a refusing parent's reason and message, and is True once every parent accepted and resolved the route", async () => {
    const path = `/apis/gateway.networking.k8s.io/v1/namespaces/${ns.name}/httproutes/${names.httpRoute}`;
    const route = await rawRequest<{ metadata: { generation: number } }>(kc(), { method: "GET", path });
    await patchStatus(
      path,
      parentStatus(
        ["False", "NotAllowedByListeners", "no listener of gateways/edge allows this namespace"],
        ["True", "ResolvedRefs", ""],
        route.metadata.generation,
      ),
    );
    await eventually(
      () => routedIs("False", "NotAllowedByListeners", /gateways\/edge#https: Accepted=False: no listener of gateways\/edge allows/),
      {
        timeout: 30_000,
      },
    );

    await patchStatus(
      path,
      parentStatus(["True", "Accepted", ""], ["False", "BackendNotFound", "service acme-zoom not found"], route.metadata.generation),
    );
    await eventually(() => routedIs("False", "BackendNotFound", /ResolvedRefs=False: service acme-zoom not found/), { timeout: 30_000 });

    await patchStatus(path, parentStatus(["True", "Accepted", ""], ["True", "ResolvedRefs", ""], route.metadata.generation));
    await eventually(() => routedTrue("RouteAccepted"), { timeout: 30_000 });

    // No needless writes: reconciles that change nothing leave the HTTPRoute (CRD defaults and all) alone.
    const applies = async () => counterSum(await operator.metrics(), "zio_operator_writes_total", { kind: "HTTPRoute" });
    const reconciles = async () => counterSum(await operator.metrics(), "zio_operator_reconciles_total");
    const [appliesBefore, reconcilesBefore] = [await applies(), await reconciles()];
    for (const touch of ["1", "2", "3"])
      await ziApi(kc()).patch(ns.name, "acme", { metadata: { annotations: { "example.com/touch": touch } } });
    await eventually(async () => expect(await reconciles()).toBeGreaterThanOrEqual(reconcilesBefore + 3), { timeout: 30_000 });
    expect(await applies()).toBe(appliesBefore);
  });

  it("switching back to Ingress mode deletes the HTTPRoute and applies the Ingress again", async () => {
    await ziApi(kc()).patch(ns.name, "acme", { spec: { routing: { gateway: null, ingress: {} } } });
    await eventually(
      async () => {
        expect(await exists("httproute", names.httpRoute)).toBe(false);
        const ingress = await kc().makeApiClient(NetworkingV1Api).readNamespacedIngress({ namespace: ns.name, name: names.ingress });
        expect(ingress.spec?.rules?.[0]?.host).toBe("app.acme.example");
      },
      { timeout: 60_000 },
    );
    // A class-less Ingress: the test bed's admitter publishes an address for it.
    await eventually(() => routedTrue("IngressAdmitted"), { timeout: 30_000 });
  });
});

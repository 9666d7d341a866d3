// The ZoomIntegration API on the real API server: the generated CRD (installed by the harness)
// must refuse every invalid manifest of the shared table with a message naming the field, accept
// valid ones with the same defaults as the zod schema, and serve explain, columns and status.
import { execFile } from "node:child_process";
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ConditionType, GROUP, PLURAL, Reason, VERSION } from "../../common/api/constants.ts";
import { INVALID_CASES, type JsonObject, mergePatch, validBase } from "../../common/api/validation-cases.ts";
import { parseZoomIntegration, redirectUrl } from "../../common/api/zoom-integration.ts";
import { clusterEnv, type KubectlResult, kubectl as kubectlWithInput, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";

const ns = useNamespace("api-validation");

// NB: the harness's kubectl() always writes stdin, and a command that exits before reading it
// (get, explain, wait) can raise an unhandled EPIPE; commands without input run without writing.
function kubectl(args: readonly string[], options: { input?: string } = {}): Promise<KubectlResult> {
  if (options.input !== undefined) return kubectlWithInput(args, options);
  const env = clusterEnv();
  return new Promise((resolve) => {
    execFile(env.kubectl, [`--kubeconfig=${env.kubeconfigPath}`, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
const api = () => clusterEnv().kc.makeApiClient(CustomObjectsApi);
const where = () => ({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL });

/** Creates with strict field validation (what kubectl does by default). */
function create(body: JsonObject, fieldValidation: "Strict" | "Warn" = "Strict"): Promise<JsonObject> {
  return api().createNamespacedCustomObject({ ...where(), body, fieldValidation });
}

function read(name: string): Promise<JsonObject> {
  return api().getNamespacedCustomObject({ ...where(), name });
}

/** The API server's Status message for a refused request; fails the test if it was accepted. */
async function refusal(request: Promise<unknown>): Promise<string> {
  const outcome = await request.then(
    () => undefined,
    (error: unknown) => error as { code?: number; body?: unknown },
  );
  if (outcome === undefined) throw new Error("the API server accepted the manifest");
  const body = typeof outcome.body === "string" ? JSON.parse(outcome.body) : outcome.body;
  expect([400, 422]).toContain(outcome.code);
  return String((body as { message?: string }).message);
}

const named = (name: string) => mergePatch(validBase(), { metadata: { name } }) as JsonObject;
const withSpec = (name: string, spec: JsonObject) => mergePatch(named(name), { spec }) as JsonObject;
function mergeStatus(name: string, status: JsonObject): Promise<JsonObject> {
  const options = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  return api().patchNamespacedCustomObjectStatus({ ...where(), name, body: { status } }, options);
}

/** Server-side applies only `status.conditions`, as field manager `manager`. */
function applyConditions(name: string, manager: string, conditions: JsonObject[]): Promise<JsonObject> {
  const { apiVersion, kind } = validBase();
  const body = { apiVersion, kind, metadata: { name }, status: { conditions } };
  const options = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
  return api().patchNamespacedCustomObjectStatus({ ...where(), name, fieldManager: manager, force: true, body }, options);
}

const condition = (type: string, status: string, reason: string): JsonObject => ({
  type,
  status,
  reason,
  message: "",
  lastTransitionTime: "2026-01-01T00:00:00Z",
});

describe("invalid manifests are refused by the API server, naming the field", () => {
  it.each(INVALID_CASES.map((c, i) => ({ ...c, i })))("$name", async ({ patch, field, i }) => {
    const manifest = mergePatch(named(`invalid-${i}`), patch) as JsonObject;
    const message = await refusal(create(manifest));
    expect(message).toContain(field);
  });

  it("kubectl apply refuses a domain with a scheme and prints the field", async () => {
    const manifest = withSpec("kubectl-scheme", { domain: "https://acme.example" });
    const res = await kubectl(["apply", "-n", ns.name, "-f", "-"], { input: JSON.stringify(manifest) });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("spec.domain");
  });

  it("kubectl apply refuses an unknown field, because its field validation is strict by default", async () => {
    const manifest = withSpec("kubectl-unknown", { domian: "acme.example" });
    const res = await kubectl(["apply", "-n", ns.name, "-f", "-"], { input: JSON.stringify(manifest) });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("spec.domian");
  });

  it("a client that does not ask for strict validation gets unknown fields pruned, never stored", async () => {
    await create(withSpec("pruned", { domian: "typo.example" }), "Warn");
    const stored = await read("pruned");
    expect(stored["spec"]).not.toHaveProperty("domian");
  });

  it("a status with a condition status other than True, False or Unknown is refused", async () => {
    await create(named("bad-status"));
    const message = await refusal(mergeStatus("bad-status", { conditions: [condition("Ready", "Maybe", "Reconciled")] }));
    expect(message).toContain("status.conditions[0].status");
  });
});

describe("valid manifests are accepted and read back with the server's defaults", () => {
  it("the smallest manifest reads back with exactly the defaults the zod schema applies", async () => {
    await create(named("minimal"));
    const stored = await read("minimal");
    const local = parseZoomIntegration(named("minimal"));
    expect(local.ok && local.value.spec).toEqual(stored["spec"]);
    expect(parseZoomIntegration(stored).ok).toBe(true);
  });

  it("granular scopes, an emulator URL on loopback and integer quantities are accepted", async () => {
    const spec = {
      scopes: [
        "meeting:read:meeting:admin",
        "meeting:write:meeting:admin",
        "meeting:update:meeting:admin",
        "meeting:delete:meeting:admin",
        "user:read:user:admin",
        "user:read:list_users:admin",
      ],
      zoom: { oauthBaseUrl: "http://127.0.0.1:18080", apiBaseUrl: "http://zoom-emulator.test.svc:8080" },
      service: { replicas: 10, resources: { limits: { cpu: 1, memory: "1Gi" } } },
      webhookSecretRef: { name: "zoom-webhook" },
    };
    await create(withSpec("granular", spec));
    const stored = (await read("granular"))["spec"] as JsonObject;
    expect(stored).toMatchObject({ ...spec, webhookSecretRef: { name: "zoom-webhook", key: "secretToken" } });
  });

  it("kubectl get lists ZoomIntegrations by short name and by the bookingops category", async () => {
    await create(named("listed"));
    for (const resource of ["zi", "zoomint", "bookingops"]) {
      const res = await kubectl(["get", resource, "-n", ns.name, "-o", "name"]);
      expect(res.stdout).toContain(`zoomintegration.${GROUP}/listed`);
    }
  });

  it("kubectl get finds a tenant's ZoomIntegration by domain with a field selector", async () => {
    await create(withSpec("selected", { domain: "selected.example" }));
    const res = await kubectl(["get", "zi", "-n", ns.name, "--field-selector", "spec.domain=selected.example", "-o", "name"]);
    expect(res.stdout.trim()).toBe(`zoomintegration.${GROUP}/selected`);
  });
});

describe("status, printer columns and explain", () => {
  it("conditions are merged by type, so two field managers can each own one", async () => {
    await create(named("ssa"));
    await applyConditions("ssa", "manager-a", [condition(ConditionType.Ready, "True", Reason.Reconciled)]);
    await applyConditions("ssa", "manager-b", [condition(ConditionType.Connected, "False", Reason.AwaitingAuthorization)]);
    const status = (await read("ssa"))["status"] as { conditions: { type: string }[] };
    expect(status.conditions.map((c) => c.type).sort()).toEqual(["Connected", "Ready"]);
  });

  it("kubectl get shows domain, ready, connected, redirect URL and age", async () => {
    await create(named("columns"));
    await mergeStatus("columns", {
      redirectUrl: redirectUrl("acme.example"),
      conditions: [condition("Ready", "True", "Reconciled"), condition("Connected", "False", "AwaitingAuthorization")],
    });
    const res = await kubectl(["get", "zoomintegrations", "columns", "-n", ns.name]);
    expect(res.stdout).toMatch(/^NAME\s+DOMAIN\s+READY\s+CONNECTED\s+REDIRECT URL\s+AGE\n/);
    expect(res.stdout).toMatch(
      /columns\s+acme\.example\s+True\s+False\s+https:\/\/app\.acme\.example\/organization\/integration\/zoom\/redirect\s+\d/,
    );
    const wait = await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "zi/columns", "--timeout=10s"]);
    expect(wait.code, wait.stderr).toBe(0);
  });

  it("kubectl explain documents the fields from the zod descriptions", async () => {
    const out = await eventually(async () => {
      const res = await kubectl(["explain", "zoomintegrations.spec.afterConnectPath"]);
      if (res.code !== 0) throw new Error(res.stderr);
      return res.stdout.replace(/\s+/g, " ");
    });
    expect(out).toContain("Path on https://app.<domain> the admin's browser is sent to after consent");
    const all = await kubectl(["explain", "zi.spec", "--recursive"]);
    for (const field of ["domain", "credentialsSecretRef", "clientSecretKey", "afterConnectPath", "replicas", "deletionPolicy"]) {
      expect(all.stdout).toContain(field);
    }
  });
});

describe("the examples apply cleanly", () => {
  /** Renders a kustomization with kubectl's built-in kustomize, moved into the test namespace. */
  async function render(dir: string): Promise<JsonObject[]> {
    const res = await kubectl(["kustomize", dir]);
    expect(res.stderr).toBe("");
    const docs = parseAllDocuments(res.stdout).map((d) => d.toJSON() as JsonObject);
    return docs.filter((d) => d["kind"] !== "Namespace").map((d) => mergePatch(d, { metadata: { namespace: ns.name } }) as JsonObject);
  }

  it.each(["examples/tenant", "examples/provisioning", "examples/gitops/overlays/acme", "examples/gitops/overlays/globex"])(
    "%s applies with kubectl and its ZoomIntegration reads back valid",
    async (dir) => {
      const objects = await render(dir);
      const zi = objects.find((o) => o["kind"] === "ZoomIntegration")!;
      const name = `${dir.split("/").pop()}-example`;
      const renamed = objects.map((o) => (o === zi ? (mergePatch(o, { metadata: { name } }) as JsonObject) : o));
      const list = { apiVersion: "v1", kind: "List", items: renamed };
      const res = await kubectl(["apply", "-f", "-"], { input: JSON.stringify(list) });
      expect(res.code, res.stderr).toBe(0);
      expect(parseZoomIntegration(await read(name))).toMatchObject({ ok: true });
    },
  );
});

// The fuzz tier: schemathesis (README "Development") against the real service process, the Zoom
// emulator and the real control plane, driven by the OpenAPI document the service serves. It passes
// when no response is a 5xx, every response matches the document (status, content type, headers,
// schema), malformed input is refused, and no response carries a secret (test/fuzz/hooks.py).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZoomEmulator, type ZoomEmulator } from "../zoom-emulator/index.ts";
import { useNamespace } from "../support/cluster-env.ts";
import { type RunningService, SecretCollector, startBrowserFlow, visit } from "../support/service-harness.ts";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.ts";
import { prepareServiceTenant, type ServiceTenant } from "../support/service-tenant.ts";

/** NB: CI runs a reduced count; `ZIO_FUZZ_EXAMPLES=200 npm test -- --project fuzz` is the full run. */
const EXAMPLES = Number(process.env["ZIO_FUZZ_EXAMPLES"] ?? 8);
const CHECKS = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_headers_conformance",
  "response_schema_conformance",
  "negative_data_rejection",
  "no_secret_in_response",
];

const WEBHOOK_SECRET = "acme-webhook-secret";
let zoom: ZoomEmulator;
let tenant: ServiceTenant;
let svc: ServiceProcess;
const secrets = new SecretCollector();
const ns = useNamespace("fuzz", () => svc?.lines.slice(-80).join("\n") ?? "");

beforeAll(async () => {
  zoom = await startZoomEmulator({ behaviour: { rateLimits: false } });
  tenant = await prepareServiceTenant({ namespace: ns.name, zoomUrl: zoom.url, webhookSecretToken: WEBHOOK_SECRET });
  svc = await startServiceProcess(tenant, "fuzz-0", { LOG_LEVEL: "info" });
  secrets.add(tenant.apiToken, tenant.stateKey, tenant.clientSecret, WEBHOOK_SECRET);
  // NB: the organization the document's examples name is connected, so generated calls reach Zoom.
  const running = { apiUrl: svc.apiUrl, publicUrl: svc.publicUrl } as RunningService;
  const flow = await startBrowserFlow(running, zoom, tenant.apiToken, "acme");
  const done = await visit(running, flow.redirect, flow.cookie);
  if (!done.location.endsWith("?zoom=connected")) throw new Error(`connecting acme failed: ${done.location}`);
  await secrets.addStoredTokens(tenant);
});
afterAll(async () => {
  await svc?.stop();
  await zoom?.close();
});

interface FuzzRun {
  readonly code: number | null;
  readonly output: string;
}

function schemathesis(baseUrl: string, pathRegex: string): Promise<FuzzRun> {
  const st = process.env["ZIO_SCHEMATHESIS"] ?? join(process.cwd(), ".tools/schemathesis/bin/st");
  const args = [
    // NB: --config-file is an option of `st`, not of `st run`.
    `--config-file=${join(process.cwd(), "test/fuzz/schemathesis.toml")}`,
    "run",
    `${svc.apiUrl}/openapi.json`,
    `--url=${baseUrl}`,
    `--include-path-regex=${pathRegex}`,
    `--header=Authorization: Bearer ${tenant.apiToken}`,
    `--checks=${CHECKS.join(",")}`,
    `--max-examples=${EXAMPLES}`,
    "--phases=examples,coverage,fuzzing",
    "--workers=1",
    "--request-timeout=15",
    "--suppress-health-check=all",
    "--output-sanitize=true",
    "--max-redirects=0",
  ];
  // NB: schemathesis keeps a cache (.schemathesis/) in its working directory: keep it out of the tree.
  const cwd = join(process.cwd(), "test-artifacts/fuzz");
  mkdirSync(cwd, { recursive: true });
  const child = spawn(st, args, {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      SCHEMATHESIS_HOOKS: "hooks",
      PYTHONPATH: join(process.cwd(), "test/fuzz"),
      ZIO_FUZZ_SECRETS: [...secrets.values].join("\n"),
      ZIO_FUZZ_WEBHOOK_SECRET: WEBHOOK_SECRET,
      NO_COLOR: "1",
    },
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += String(chunk)));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** The summary lines a reader wants in the test log (what was run, what failed). */
function summary(run: FuzzRun): string {
  return run.output.split("\n").slice(-60).join("\n");
}

describe("fuzzing the service's HTTP surface against its OpenAPI document", () => {
  it("finds no 5xx, no response outside the document and no secret on the internal API", async () => {
    const run = await schemathesis(svc.apiUrl, "^/v1/");
    console.log(summary(run));
    expect(run.code, summary(run)).toBe(0);
  }, 1_800_000);

  it("finds none on the public routes (connect link, OAuth callback, webhook)", async () => {
    const run = await schemathesis(svc.publicUrl, "^/(zoom-integration|organization)/");
    console.log(summary(run));
    expect(run.code, summary(run)).toBe(0);
  }, 600_000);

  it("left no secret in the service's logs", () => {
    expect(secrets.leaks(svc.lines)).toEqual([]);
  });
});

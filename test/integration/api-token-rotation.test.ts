// Rotating the booking app's API token declaratively, against the real control plane: a new value of
// the rotate-api-token annotation gives a new token, keeps the old one valid for the overlap, never
// touches the state key, and happens once per value. The service side reads the Secret exactly as the
// live Deployment mounts it (its volume items) and accepts both tokens during the overlap.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, type V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN_OVERLAP_SECONDS, ROTATE_API_TOKEN_ANNOTATION } from "../../common/api/constants.ts";
import { tenantNames } from "../../common/tenant/names.ts";
import { acceptsToken } from "../../service/http/bearer-auth.ts";
import { readSecretFiles } from "../../service/runtime/mounted-secrets.ts";
import { clusterEnv, useNamespace } from "../support/cluster-env.ts";
import { eventually } from "../support/eventually.ts";
import { type OperatorProcess, startOperator } from "../support/operator-process.ts";
import { condition, createCredentials, ziApi, zoomIntegration } from "../support/tenant-fixtures.ts";

let operator: OperatorProcess | undefined;
let dir = "";
const ns = useNamespace("rotate", () => operator?.lines.slice(-60).join("\n") ?? "");
const names = tenantNames("rot");
const core = () => clusterEnv().kc.makeApiClient(CoreV1Api);
const decode = (s: V1Secret, key: string) => Buffer.from(s.data?.[key] ?? "", "base64").toString("utf8");
const apiTokenSecret = () => core().readNamespacedSecret({ name: names.apiTokenSecret, namespace: ns.name });
const rotate = (value: string) =>
  ziApi(clusterEnv().kc).patch(ns.name, "rot", { metadata: { annotations: { [ROTATE_API_TOKEN_ANNOTATION]: value } } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zio-rotate-"));
  operator = await startOperator({
    kubeconfigPath: clusterEnv().kubeconfigPath,
    identity: "rotate",
    env: { WATCH_NAMESPACES: ns.name, POD_NAMESPACE: ns.name, RESYNC_SECONDS: "600" },
  });
  await createCredentials(clusterEnv().kc, ns.name, "rot-creds");
  await ziApi(clusterEnv().kc).create(ns.name, zoomIntegration("rot"));
});
afterAll(async () => {
  await operator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The Secret's keys written as files under the paths the live Deployment's api-token volume names (what kubelet does). */
async function projectAsMounted(secret: V1Secret): Promise<string> {
  const deployment = await clusterEnv()
    .kc.makeApiClient(AppsV1Api)
    .readNamespacedDeployment({ name: names.deployment, namespace: ns.name });
  const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.secret?.secretName === names.apiTokenSecret);
  const target = join(dir, String(Date.now()));
  await mkdir(target, { recursive: true });
  for (const item of volume?.secret?.items ?? []) await writeFile(join(target, item.path), decode(secret, item.key));
  return target;
}

describe("API token rotation", () => {
  it("replaces the token on a new annotation value, keeps the old one valid for the overlap and the state key as it was", async () => {
    const first = await eventually(
      async () => {
        const s = await apiTokenSecret();
        expect(decode(s, "token")).not.toBe("");
        return s;
      },
      { timeout: 60_000 },
    );
    const [t1, stateKey] = [decode(first, "token"), decode(first, "state-key")];
    expect(decode(first, "previous-token")).toBe("");

    const before = Date.now();
    await rotate("2026-12-01");
    const rotated = await eventually(
      async () => {
        const s = await apiTokenSecret();
        expect(decode(s, "token")).not.toBe(t1);
        return s;
      },
      { timeout: 60_000 },
    );
    const t2 = decode(rotated, "token");
    expect(decode(rotated, "previous-token")).toBe(t1);
    expect(decode(rotated, "state-key")).toBe(stateKey);
    expect(decode(rotated, "previous-state-key")).toBe("");
    expect(rotated.metadata?.annotations?.["bookingops.dev/api-token-rotation"]).toBe("2026-12-01");
    const expiresAt = Date.parse(decode(rotated, "previous-token-expires-at"));
    expect(expiresAt).toBeGreaterThanOrEqual(before + API_TOKEN_OVERLAP_SECONDS * 1000 - 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + API_TOKEN_OVERLAP_SECONDS * 1000 + 5_000);

    // The service, reading the files as mounted: both tokens now, only the new one after the overlap.
    const apiDir = await projectAsMounted(rotated);
    await mkdir(join(dir, "creds"), { recursive: true });
    await writeFile(join(dir, "creds", "client-id"), "id");
    await writeFile(join(dir, "creds", "client-secret"), "secret");
    const mounted = await readSecretFiles({ credentialsDir: join(dir, "creds"), apiTokenDir: apiDir, webhookSecretFile: undefined });
    const accepted = { token: mounted.apiToken, previous: mounted.previousApiToken };
    expect([t1, t2, "another-token"].map((t) => acceptsToken(t, accepted, Date.now()))).toEqual([true, true, false]);
    expect(acceptsToken(t1, accepted, expiresAt)).toBe(false);
    expect(mounted.stateKey).toBe(stateKey);

    // One Event says so, without either token.
    const events = await eventually(async () => {
      const list = await core().listNamespacedEvent({ namespace: ns.name });
      const rotatedEvents = list.items.filter((e) => e.reason === "ApiTokenRotated");
      expect(rotatedEvents).toHaveLength(1);
      return rotatedEvents;
    });
    expect(events[0]?.message).toContain("2026-12-01");
    for (const token of [t1, t2]) expect(JSON.stringify(events)).not.toContain(token);

    // Another pass with the same annotation value rotates nothing.
    await ziApi(clusterEnv().kc).patch(ns.name, "rot", { spec: { afterConnectPath: "/after/rotation" } });
    await eventually(
      async () => {
        const zi = await ziApi(clusterEnv().kc).get(ns.name, "rot");
        expect(condition(zi, "Ready")?.message).toBeDefined();
        expect(zi.status?.observedGeneration).toBe(zi.metadata.generation);
      },
      { timeout: 60_000 },
    );
    expect(decode(await apiTokenSecret(), "token")).toBe(t2);

    // A second rotation: the first token is no longer accepted at all.
    await rotate("2026-12-02");
    const again = await eventually(
      async () => {
        const s = await apiTokenSecret();
        expect(decode(s, "token")).not.toBe(t2);
        return s;
      },
      { timeout: 60_000 },
    );
    expect([decode(again, "previous-token"), decode(again, "state-key")]).toEqual([t2, stateKey]);
  });
});

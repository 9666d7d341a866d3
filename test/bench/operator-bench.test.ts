// The benchmark's pure parts: what it counts as a write, how it ranks latencies, how it reads its
// flags, and that the floor applies what the operator would (minus owner references).
import { describe, expect, it } from "vitest";
import { floorObjects } from "./apply-floor.ts";
import { parseBenchArgs } from "./bench-args.ts";
import { nodesFor } from "./bench-plane.ts";
import { percentile, ratio } from "./bench-report.ts";
import { helmReleaseSecret } from "./busy-fixture.ts";
import { formatWrites, operatorWrites, parseWriteCounts, writesBetween } from "./write-counts.ts";

const metrics = (deployApply: number, leasePut: number) =>
  [
    "# HELP apiserver_request_total x",
    `apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="",verb="APPLY",version="v1"} ${deployApply}`,
    `apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="status",verb="PUT",version="v1"} 4`,
    `apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} ${leasePut}`,
    `apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="events",scope="resource",subresource="",verb="POST",version="v1"} 9`,
    `apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="GET",version="v1"} 100`,
  ].join("\n");

describe("counting writes from kube-apiserver's metrics", () => {
  it("counts mutating verbs per resource and subresource, leaving out reads, Events and Leases", () => {
    const counts = parseWriteCounts(metrics(7, 3));
    expect([...counts]).toEqual([
      ["deployments APPLY", 7],
      ["deployments/status PUT", 4],
    ]);
  });

  it("reports only what changed between two readings, and counts the operator's resources apart", () => {
    const diff = writesBetween(parseWriteCounts(metrics(7, 3)), parseWriteCounts(metrics(10, 50)));
    expect(diff).toEqual([["deployments APPLY", 3]]);
    expect(operatorWrites(diff)).toBe(3);
    expect(operatorWrites([["deployments/status PUT", 5]])).toBe(0);
    expect(formatWrites(diff)).toBe("deployments APPLY*=3");
    expect(formatWrites([])).toBe("none");
  });
});

describe("the report", () => {
  it("ranks latencies by nearest rank, so p99 of few samples is the maximum", () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(100);
    expect(percentile([], 50)).toBeUndefined();
  });

  it("gives no ratio when either side was not measured", () => {
    expect(ratio(3000, 2000)).toBe("1.50");
    expect(ratio(undefined, 2000)).toBe("n/a");
    expect(ratio(3000, undefined)).toBe("n/a");
  });
});

describe("the flags", () => {
  it("defaults to the issue's fixture and a 5-minute steady window", () => {
    expect(parseBenchArgs([])).toMatchObject({
      tenants: [100],
      foreignSecrets: 2000,
      foreignConfigMaps: 1000,
      steadySeconds: 300,
      resyncSeconds: 15,
    });
  });

  it("reads a comma list of N and names every bad flag", () => {
    expect(parseBenchArgs(["--tenants", "100,500", "--workers", "8"])).toMatchObject({ tenants: [100, 500], workers: 8 });
    expect(() => parseBenchArgs(["--tenants", "100,x", "--resync-seconds", "5"])).toThrow(
      /--tenants.*"x"[\s\S]*--resync-seconds must be an integer >= 10/,
    );
    expect(parseBenchArgs(["--help"])).toBe("help");
  });
});

describe("the fixture and the floor", () => {
  it("starts enough fake nodes for the tenants' pods and the floor's, with room for rollouts", () => {
    expect(nodesFor(200)).toBe(2);
    expect(nodesFor(1000)).toBe(5);
    expect(nodesFor(2000) * 250).toBeGreaterThanOrEqual(2000 * 1.2);
  });

  it("makes Helm-release-like Secrets of the asked size", () => {
    const secret = helmReleaseSecret(3, 50);
    expect(secret.type).toBe("helm.sh/release.v1");
    expect(Buffer.from(secret.data.release, "base64").length).toBe(50 * 1024);
  });

  it("applies the operator's rendered children, without owner references, with the desired hash", () => {
    const objects = floorObjects(10, "floor-10", "http://127.0.0.1:1");
    expect(objects.map((o) => o.kind)).toContain("Deployment");
    expect(objects.every((o) => o.metadata?.namespace === "floor-10" && !o.metadata?.ownerReferences)).toBe(true);
    expect(objects.every((o) => o.metadata?.annotations?.["bookingops.dev/desired-hash"])).toBe(true);
    const deployment = objects.find((o) => o.kind === "Deployment") as {
      spec: { template: { spec: { containers: { resources: unknown }[] } } };
    };
    // tenant 10 writes its quantities non-canonically; the floor sends them as the operator would
    expect(deployment.spec.template.spec.containers[0]?.resources).toMatchObject({ requests: { cpu: "0.5" } });
  });
});

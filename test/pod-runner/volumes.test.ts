import { mkdtemp, readFile, readlink, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import type { ObjectSources } from "./sources.ts";
import { type VolumeFile, volumeContent, writeVolumeAtomically } from "./volumes.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const pod: V1Pod = { metadata: { namespace: "ns" } };
const sources: ObjectSources = {
  secret: (_ns, name) => (name === "creds" ? { data: { clientId: b64("id"), clientSecret: b64("s3cret") } } : undefined),
  configMap: (_ns, name) => (name === "cfg" ? { data: { a: "1" }, binaryData: { b: b64("bin") } } : undefined),
};
const file = (data: string, mode = 0o644): VolumeFile => ({ data: Buffer.from(data), mode });

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("volumeContent", () => {
  it("maps a Secret's listed keys to their paths and modes, and a ConfigMap's data and binaryData", () => {
    const secret = volumeContent(
      pod,
      { name: "v", secret: { secretName: "creds", items: [{ key: "clientId", path: "client-id" }], defaultMode: 0o440 } },
      sources,
    );
    expect(secret).toEqual({ kind: "files", files: new Map([["client-id", file("id", 0o440)]]) });
    const cm = volumeContent(pod, { name: "v", configMap: { name: "cfg" } }, sources);
    expect(cm).toEqual({
      kind: "files",
      files: new Map([
        ["a", file("1")],
        ["b", file("bin")],
      ]),
    });
  });

  it("refuses a missing required Secret, and an item path that escapes the volume", () => {
    expect(() => volumeContent(pod, { name: "v", secret: { secretName: "nope" } }, sources)).toThrow(/does not exist/);
    expect(volumeContent(pod, { name: "v", secret: { secretName: "nope", optional: true } }, sources)).toEqual({
      kind: "files",
      files: new Map(),
    });
    expect(() =>
      volumeContent(pod, { name: "v", secret: { secretName: "creds", items: [{ key: "clientId", path: "../x" }] } }, sources),
    ).toThrow(/not allowed/);
  });
});

describe("writeVolumeAtomically", () => {
  it("publishes each version behind the ..data symlink and drops files and versions that are gone", async () => {
    dir = await mkdtemp(join(tmpdir(), "zio-volume-test-"));
    await writeVolumeAtomically(
      dir,
      new Map([
        ["a", file("1")],
        ["sub/b", file("2", 0o440)],
      ]),
    );
    expect(await readFile(join(dir, "a"), "utf8")).toBe("1");
    expect(await readFile(join(dir, "sub", "b"), "utf8")).toBe("2");
    expect((await stat(join(dir, "sub", "b"))).mode & 0o777).toBe(0o440);
    const first = await readlink(join(dir, "..data"));
    await writeVolumeAtomically(dir, new Map([["a", file("changed")]]));
    expect(await readFile(join(dir, "a"), "utf8")).toBe("changed");
    expect(await readlink(join(dir, "..data"))).not.toBe(first);
    expect((await readdir(dir)).sort()).toEqual([await readlink(join(dir, "..data")), "..data", "a"].sort());
  });
});

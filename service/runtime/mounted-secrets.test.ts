import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSecretFiles, unsealingKeys, watchSecretFiles } from "./mounted-secrets.ts";

async function files(clientSecret: string) {
  const dir = await mkdtemp(join(tmpdir(), "zio-secrets-"));
  await mkdir(join(dir, "c"));
  await mkdir(join(dir, "a"));
  await writeFile(join(dir, "c", "client-id"), "id\n");
  await writeFile(join(dir, "c", "client-secret"), clientSecret);
  await writeFile(join(dir, "a", "token"), "tok");
  await writeFile(join(dir, "a", "state-key"), "key");
  return { dir, props: { credentialsDir: join(dir, "c"), apiTokenDir: join(dir, "a"), webhookSecretFile: undefined } };
}

describe("the mounted Secrets", () => {
  it("are read trimmed and re-read when the files change (rotation without restart)", async () => {
    const { dir, props } = await files("first");
    const secrets = await watchSecretFiles(props, { intervalMs: 20 });
    try {
      expect(secrets.current()).toMatchObject({ clientId: "id", clientSecret: "first", webhookSecretToken: undefined });
      await writeFile(join(dir, "c", "client-secret"), "second");
      await new Promise((r) => setTimeout(r, 100));
      expect(secrets.current().clientSecret).toBe("second");
    } finally {
      secrets.stop();
    }
  });

  it("keep the previous values when a rotation leaves a file empty for a moment", async () => {
    const { dir, props } = await files("first");
    const errors: unknown[] = [];
    const secrets = await watchSecretFiles(props, { intervalMs: 20, onError: (e) => errors.push(e) });
    try {
      await writeFile(join(dir, "c", "client-secret"), "");
      await new Promise((r) => setTimeout(r, 100));
      expect(secrets.current().clientSecret).toBe("first");
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      secrets.stop();
    }
  });

  it("fail the start when a file is missing", async () => {
    await expect(
      watchSecretFiles({ credentialsDir: "/nonexistent", apiTokenDir: "/nonexistent", webhookSecretFile: undefined }),
    ).rejects.toThrow();
  });

  it("read a state-key rotation's previous key, which opens sealed values only until its overlap ends", async () => {
    const { dir, props } = await files("first");
    expect((await readSecretFiles(props)).previousStateKey).toBeUndefined();
    await writeFile(join(dir, "a", "previous-state-key"), "old-key\n");
    await writeFile(join(dir, "a", "previous-state-key-expires-at"), "");
    expect((await readSecretFiles(props)).previousStateKey).toBeUndefined();
    await writeFile(join(dir, "a", "previous-state-key-expires-at"), "2026-06-01T12:30:00.000Z");
    const secrets = await readSecretFiles(props);
    expect(secrets.previousStateKey).toEqual({ key: "old-key", expiresAt: "2026-06-01T12:30:00.000Z" });
    expect(unsealingKeys(secrets, Date.parse("2026-06-01T12:29:59Z"))).toEqual({ current: "key", previous: "old-key" });
    expect(unsealingKeys(secrets, Date.parse("2026-06-01T12:30:00Z"))).toEqual({ current: "key" });
  });
});

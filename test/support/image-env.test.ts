import { describe, expect, it } from "vitest";
import { imageEnv, imageNodeFlags, parseImageEntrypoint, parseImageEnv } from "./image-env.ts";

describe("the image's environment, read from the Dockerfile", () => {
  it("takes the ENV lines of the last stage only, continuation lines included", () => {
    const dockerfile = ["FROM a AS build", "ENV BUILD_ONLY=1", "FROM b", "ENV A=1 \\", "    B=x,y:2", "RUN true", "ENV C=3"].join("\n");
    expect(parseImageEnv(dockerfile)).toEqual({ A: "1", B: "x,y:2", C: "3" });
  });

  it("refuses what it cannot read instead of guessing", () => {
    expect(() => parseImageEnv('FROM b\nENV A="quoted value"')).toThrow(/ENV A="quoted value": expected KEY=value/);
  });

  it("preloads Debian's jemalloc for both programs (what the benchmarks start the operator with)", () => {
    const env = imageEnv();
    expect(env["LD_PRELOAD"]).toBe("libjemalloc.so.2");
    expect(env["MALLOC_CONF"]).toMatch(/dirty_decay_ms:\d+/);
    expect(env["NODE_ENV"]).toBe("production");
  });

  it("reads the node flags and the script of the last stage's ENTRYPOINT", () => {
    const dockerfile = ["FROM a", 'ENTRYPOINT ["node", "x.js"]', "FROM b", 'ENTRYPOINT ["node", "--a", "--b=1", "/app/bin/z.js"]'].join(
      "\n",
    );
    expect(parseImageEntrypoint(dockerfile)).toEqual({ nodeFlags: ["--a", "--b=1"], script: "/app/bin/z.js" });
    expect(parseImageEntrypoint('FROM b\nENTRYPOINT ["node", "/app/z.js"]')).toEqual({ nodeFlags: [], script: "/app/z.js" });
  });

  it("refuses an ENTRYPOINT that does not run a node script, or none", () => {
    expect(() => parseImageEntrypoint('FROM b\nENTRYPOINT ["sh", "-c", "x"]')).toThrow(/expected ENTRYPOINT \["node"/);
    expect(() => parseImageEntrypoint('FROM b\nENTRYPOINT ["node", "--a"]')).toThrow(/expected ENTRYPOINT/);
    expect(() => parseImageEntrypoint("FROM b\nRUN true")).toThrow(/got none/);
  });

  it("runs node with --optimize-for-size (what the benchmarks start the operator with)", () => {
    expect(imageNodeFlags()).toContain("--optimize-for-size");
  });
});

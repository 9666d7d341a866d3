import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk, _enc, cb) => {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, log: createLogger({ level: "info", name: "test", destination }) };
}

describe("createLogger", () => {
  it("redacts secrets by field name at any depth, whatever the call site passes", () => {
    const { lines, log } = capture();
    log.info(
      { token: "t-123", grant: { refresh_token: "r-456", scopes: "a b" }, req: { headers: { authorization: "Bearer b-789" } } },
      "msg",
    );
    const out = lines.join("");
    for (const secret of ["t-123", "r-456", "b-789"]) expect(out).not.toContain(secret);
    expect(out).toContain("a b");
    expect(JSON.parse(out)).toMatchObject({ msg: "msg", level: "info", component: "test" });
  });
});

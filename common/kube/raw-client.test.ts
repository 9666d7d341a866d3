// The page walk of every list, with scripted pages: the real API server (1.36) serves continue
// tokens from its watch-cache snapshots and would not expire one on demand; the busy-cluster
// integration test covers the happy path against it.
import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { collectPages, KubeHttpError } from "./raw-client.ts";

type List = KubernetesListObject<KubernetesObject>;
const item = (name: string): KubernetesObject => ({ metadata: { name } });
const page = (resourceVersion: string, names: string[], next?: string): List =>
  ({
    apiVersion: "v1",
    kind: "SecretList",
    metadata: { resourceVersion, ...(next ? { continue: next } : {}) },
    items: names.map(item),
  }) as List;
const gone = () => new KubeHttpError(410, '{"kind":"Status","code":410,"reason":"Expired"}', "GET /api/v1/secrets");

/** A fetchPage that answers from `script` in order, recording the tokens it was asked with. */
function scripted(script: (List | Error)[]) {
  const asked: (string | undefined)[] = [];
  const fetchPage = async (token: string | undefined) => {
    asked.push(token);
    const next = script.shift();
    if (!next) throw new Error("asked for more pages than scripted");
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetchPage, asked };
}

describe("collectPages", () => {
  it("follows the continue tokens and returns every item with the first page's resourceVersion", async () => {
    const { fetchPage, asked } = scripted([page("7", ["a", "b"], "t1"), page("7", [], "t2"), page("7", ["c"])]);
    const list = await collectPages(fetchPage);
    expect(list.items.map((i) => i.metadata?.name)).toEqual(["a", "b", "c"]);
    expect(list.metadata?.resourceVersion).toBe("7");
    expect(list.pages).toBe(3);
    expect(asked).toEqual([undefined, "t1", "t2"]);
  });

  it("passes each item through `each` as its page arrives, before the next page is asked for, and keeps only what it returns", async () => {
    const { fetchPage, asked } = scripted([page("7", ["a", "b"], "t1"), page("7", ["c"])]);
    const seen: string[] = [];
    const seenWhenAsked: string[][] = [];
    const list = await collectPages(
      async (token) => {
        seenWhenAsked.push([...seen]);
        return fetchPage(token);
      },
      (obj) => {
        seen.push(obj.metadata?.name ?? "");
        return { metadata: { name: `kept-${obj.metadata?.name}` } };
      },
    );
    expect(seenWhenAsked).toEqual([[], ["a", "b"]]);
    expect(list.items.map((i) => i.metadata?.name)).toEqual(["kept-a", "kept-b", "kept-c"]);
    expect(asked).toEqual([undefined, "t1"]);
  });

  it("starts over from the first page when a continue token has expired (410), keeping nothing of the stale pages", async () => {
    const { fetchPage, asked } = scripted([page("7", ["a", "b"], "t1"), gone(), page("9", ["a", "x"], "u1"), page("9", ["c"])]);
    const list = await collectPages(fetchPage);
    expect(list.items.map((i) => i.metadata?.name)).toEqual(["a", "x", "c"]);
    expect(list.metadata?.resourceVersion).toBe("9");
    expect(asked).toEqual([undefined, "t1", undefined, "u1"]);
  });

  it("passes a 410 on the first page on, as any other error: it is not an expired token", async () => {
    const { fetchPage, asked } = scripted([gone(), page("1", [])]);
    await expect(collectPages(fetchPage)).rejects.toMatchObject({ code: 410 });
    expect(asked).toEqual([undefined]);
  });

  it("gives up with the API server's 410 when the tokens keep expiring", async () => {
    const script = Array.from({ length: 6 }, () => [page("7", ["a"], "t"), gone()]).flat();
    const { fetchPage, asked } = scripted(script);
    await expect(collectPages(fetchPage)).rejects.toBeInstanceOf(KubeHttpError);
    expect(asked.filter((t) => t === undefined)).toHaveLength(6);
  });
});

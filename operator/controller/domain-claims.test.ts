import { describe, expect, it } from "vitest";
import { type Claim, claimOf, DomainIndex, domainHolders, normaliseDomain } from "./domain-claims.ts";

const claim = (key: string, createdAt: string, domain: string, uid = `uid-${key}`): Claim => ({ key, uid, createdAt, domain });
const zi = (namespace: string, name: string, domain: string, creationTimestamp = "2026-01-01T00:00:00Z") => ({
  metadata: { namespace, name, uid: `uid-${namespace}-${name}`, creationTimestamp: new Date(creationTimestamp) },
  spec: { domain },
});

describe("normaliseDomain", () => {
  it.each([
    ["acme.example", "acme.example"],
    ["ACME.Example", "acme.example"],
    ["acme.example.", "acme.example"],
    ["acme.example..", "acme.example"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["BÜCHER.example.", "xn--bcher-kva.example"],
  ])("compares %s as %s", (input, expected) => {
    expect(normaliseDomain(input)).toBe(expected);
  });
});

describe("domainHolders", () => {
  const cases: { name: string; claims: Claim[]; holders: Record<string, string> }[] = [
    { name: "a lone claim holds its domain", claims: [claim("a/x", "2026-01-01T00:00:00Z", "d.example")], holders: { "d.example": "a/x" } },
    {
      name: "the older claim wins whatever the order of the list",
      claims: [claim("b/x", "2026-01-02T00:00:00Z", "d.example"), claim("a/x", "2026-01-03T00:00:00Z", "d.example")],
      holders: { "d.example": "b/x" },
    },
    {
      name: "a tie in creation time goes to the smaller namespace/name",
      claims: [claim("b/x", "2026-01-01T00:00:00Z", "d.example"), claim("a/y", "2026-01-01T00:00:00Z", "d.example")],
      holders: { "d.example": "a/y" },
    },
    {
      name: "a tie in time and key (a recreated object seen twice) goes to the smaller uid",
      claims: [claim("a/x", "2026-01-01T00:00:00Z", "d.example", "u2"), claim("a/x", "2026-01-01T00:00:00Z", "d.example", "u1")],
      holders: { "d.example": "a/x" },
    },
    {
      name: "different domains each have their own holder",
      claims: [claim("a/x", "2026-01-02T00:00:00Z", "one.example"), claim("b/x", "2026-01-01T00:00:00Z", "two.example")],
      holders: { "one.example": "a/x", "two.example": "b/x" },
    },
  ];
  it.each(cases)("$name", ({ claims, holders }) => {
    const found = Object.fromEntries([...domainHolders(claims)].map(([d, c]) => [d, c.key]));
    expect(found).toEqual(holders);
  });
});

describe("DomainIndex", () => {
  it("gives a later claimant the holder, even when it spells the domain differently", () => {
    const index = new DomainIndex();
    index.observe(zi("a", "acme", "acme.example", "2026-01-01T00:00:00Z"), false);
    index.observe(zi("b", "thief", "ACME.example.", "2026-01-02T00:00:00Z"), false);
    expect(index.heldByOther("b/thief")?.key).toBe("a/acme");
    expect(index.heldByOther("a/acme")).toBeUndefined();
  });

  it("names the waiting claimants when the holder goes, and the next one then holds", () => {
    const index = new DomainIndex();
    const holder = zi("a", "acme", "acme.example", "2026-01-01T00:00:00Z");
    index.observe(holder, false);
    index.observe(zi("b", "second", "acme.example", "2026-01-02T00:00:00Z"), false);
    index.observe(zi("c", "third", "acme.example", "2026-01-03T00:00:00Z"), false);
    expect(index.observe(holder, true).sort()).toEqual(["b/second", "c/third"]);
    expect(index.heldByOther("b/second")).toBeUndefined();
    expect(index.heldByOther("c/third")?.key).toBe("b/second");
  });

  it("names the claimants of both the old and the new domain when a holder changes its domain", () => {
    const index = new DomainIndex();
    index.observe(zi("a", "acme", "old.example", "2026-01-01T00:00:00Z"), false);
    index.observe(zi("b", "waits", "old.example", "2026-01-02T00:00:00Z"), false);
    index.observe(zi("c", "holds", "new.example", "2026-01-03T00:00:00Z"), false);
    expect(index.observe(zi("a", "acme", "new.example", "2026-01-01T00:00:00Z"), false).sort()).toEqual(["b/waits", "c/holds"]);
    expect(index.heldByOther("b/waits")).toBeUndefined();
    expect(index.heldByOther("c/holds")?.key).toBe("a/acme");
  });

  it("ignores an object without a domain", () => {
    expect(claimOf({ metadata: { name: "x", namespace: "a" } })).toBeUndefined();
    const index = new DomainIndex();
    index.observe({ metadata: { name: "x", namespace: "a" } }, false);
    expect(index.size).toBe(0);
  });
});

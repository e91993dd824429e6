import { describe, expect, it } from "vitest";
import { GENESIS_HASH, canonicalJson, checkChainPage, entryHash, type ChainedEntry } from "./chain";

function chain(n: number) {
  const entries: (ChainedEntry & { hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e: ChainedEntry = {
      id: `aud_${i}`,
      tenantId: "ten_1",
      seq: BigInt(i),
      actorType: "user",
      actorId: "u1",
      actorLabel: "a@b.test",
      action: "member.role_changed",
      targetType: "member",
      targetId: `u${i}`,
      before: { role: "viewer" },
      after: { role: "admin", n: i },
      requestId: null,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      prevHash: prev,
    };
    const hash = entryHash(e);
    entries.push({ ...e, hash });
    prev = hash;
  }
  return entries;
}

const start = { headSeq: 0n, headHash: GENESIS_HASH, checked: 0 };

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it("renders dates, bigints and null deterministically", () => {
    expect(canonicalJson({ t: new Date("2026-01-01T00:00:00.000Z"), n: 12n, x: null })).toBe('{"n":"12","t":"2026-01-01T00:00:00.000Z","x":null}');
  });
});

describe("entryHash", () => {
  it("ignores fields outside the chained set (like the stored hash itself)", () => {
    const [e] = chain(1);
    expect(entryHash({ ...e!, extra: "x" } as ChainedEntry)).toBe(e!.hash);
  });
  it("changes when any chained field changes", () => {
    const [e] = chain(1);
    expect(entryHash({ ...e!, after: { role: "owner", n: 1 } })).not.toBe(e!.hash);
    expect(entryHash({ ...e!, actorLabel: "evil@b.test" })).not.toBe(e!.hash);
    expect(entryHash({ ...e!, createdAt: new Date(e!.createdAt.getTime() + 1) })).not.toBe(e!.hash);
  });
});

describe("checkChainPage", () => {
  it("accepts an intact chain, including across pages", () => {
    const entries = chain(5);
    const first = checkChainPage(entries.slice(0, 2), start);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const second = checkChainPage(entries.slice(2), first);
    expect(second).toMatchObject({ ok: true, checked: 5, headSeq: 5n, headHash: entries[4]!.hash });
  });

  it("detects an altered entry", () => {
    const entries = chain(3);
    entries[1] = { ...entries[1]!, after: { role: "owner" } };
    expect(checkChainPage(entries, start)).toMatchObject({ ok: false, brokenAtSeq: 2n, checked: 1 });
  });

  it("detects a removed entry", () => {
    const entries = chain(4);
    entries.splice(2, 1);
    expect(checkChainPage(entries, start)).toMatchObject({ ok: false, brokenAtSeq: 4n });
  });

  it("detects reordered entries", () => {
    const entries = chain(3);
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    expect(checkChainPage(entries, start)).toMatchObject({ ok: false, brokenAtSeq: 3n });
  });

  it("detects a re-hashed forgery that does not link to its predecessor", () => {
    const entries = chain(3);
    const forged = { ...entries[1]!, after: { role: "owner" }, prevHash: "f".repeat(64) };
    entries[1] = { ...forged, hash: entryHash(forged) };
    const result = checkChainPage(entries, start);
    expect(result).toMatchObject({ ok: false, brokenAtSeq: 2n });
    if (!result.ok) expect(result.problem).toMatch(/link/);
  });
});

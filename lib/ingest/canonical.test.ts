import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/audit/chain";
import { deeplyNested } from "@/lib/testing/deep-json";
import { MAX_CANONICAL_DEPTH, canonicalJsonOfParsed } from "./canonical";

function random(depth: number): unknown {
  const r = Math.random();
  if (depth > 3 || r < 0.3) return [null, true, false, 0, -1.5, 1e21, "", "é\u0000\"\\", "z", "A"][Math.floor(Math.random() * 10)];
  if (r < 0.6) return Array.from({ length: Math.floor(Math.random() * 4) }, () => random(depth + 1));
  const keys = ["b", "a", "B", "é", "_", "10", "9", "aa", "a b", "\u0000"];
  return Object.fromEntries(Array.from({ length: Math.floor(Math.random() * 5) }, () => [keys[Math.floor(Math.random() * keys.length)]!, random(depth + 1)]));
}

describe("canonicalJsonOfParsed", () => {
  it("gives exactly canonicalJson's bytes for anything JSON.parse returns", () => {
    for (let i = 0; i < 2_000; i++) {
      const value = JSON.parse(JSON.stringify(random(0)) ?? "null");
      expect(canonicalJsonOfParsed(value)).toBe(canonicalJson(value));
    }
  });

  it("refuses a value nested past its bound with an error, never a stack overflow", () => {
    expect(canonicalJsonOfParsed(deeplyNested(MAX_CANONICAL_DEPTH - 1))).toBe(`${"[".repeat(MAX_CANONICAL_DEPTH - 1)}1${"]".repeat(MAX_CANONICAL_DEPTH - 1)}`);
    expect(() => canonicalJsonOfParsed(deeplyNested(100_000))).toThrow(/nested deeper than/);
  });
});

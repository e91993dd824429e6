import { describe, expect, it } from "vitest";
import { diffArgs } from "./diff-args";

describe("diffArgs", () => {
  it("finds nothing between equal values, whatever the key order", () => {
    expect(diffArgs({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it("reports changed, added and removed leaves at their paths, into objects and arrays", () => {
    expect(diffArgs({ a: 1, nested: { x: "a", gone: true }, list: [1, 2, 3] }, { a: 2, nested: { x: "a", y: null }, list: [1, 5], extra: "e" })).toEqual([
      { path: ["a"], kind: "changed", before: 1, after: 2 },
      { path: ["nested", "y"], kind: "added", after: null },
      { path: ["nested", "gone"], kind: "removed", before: true },
      { path: ["list", 1], kind: "changed", before: 2, after: 5 },
      { path: ["list", 2], kind: "removed", before: 3 },
      { path: ["extra"], kind: "added", after: "e" },
    ]);
  });

  it("treats a change of type as one change", () => {
    expect(diffArgs({ a: "1" }, { a: { v: 1 } })).toEqual([{ path: ["a"], kind: "changed", before: "1", after: { v: 1 } }]);
    expect(diffArgs({ a: [1] }, { a: { 0: 1 } })).toEqual([{ path: ["a"], kind: "changed", before: [1], after: { 0: 1 } }]);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deeplyNested } from "@/lib/testing/deep-json";
import { MAX_JSON_DEPTH, findUnstorable, makeStorable, refineStorable } from "./storable";

describe("findUnstorable", () => {
  it("accepts what Postgres stores", () => {
    expect(findUnstorable({ a: "héllo 😀", b: [1, null, true, { c: "x" }], "k\u00e9y": 2.5 })).toBeNull();
    expect(findUnstorable(deeplyNested(MAX_JSON_DEPTH - 1))).toBeNull();
    expect(findUnstorable("plain")).toBeNull();
    expect(findUnstorable(7)).toBeNull();
  });

  it("names the path of a NUL or a lone surrogate, in values and in keys", () => {
    expect(findUnstorable({ run_id: "run\u0000x" })).toEqual({ path: ["run_id"], message: expect.stringContaining("NUL") });
    expect(findUnstorable({ args: { list: ["ok", "\udc00"] } })).toEqual({ path: ["args", "list", 1], message: expect.stringContaining("surrogate") });
    expect(findUnstorable({ args: { "bad\ud800key": 1 } })).toEqual({ path: ["args", "bad\ud800key"], message: expect.stringContaining("Key") });
    expect(findUnstorable("\ud83d")).toEqual({ path: [], message: expect.stringContaining("surrogate") });
  });

  it("refuses JSON nested beyond the bound without overflowing the stack", () => {
    const found = findUnstorable({ args: deeplyNested(100_000) });
    expect(found?.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
    expect(found?.path).toHaveLength(MAX_JSON_DEPTH);
    expect(findUnstorable(deeplyNested(MAX_JSON_DEPTH + 1))).not.toBeNull();
  });

  it("reports through zod with the path", () => {
    const schema = z.object({ args: z.unknown() }).superRefine(refineStorable);
    const result = schema.safeParse({ args: { x: "a\u0000" } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["args", "x"]);
  });

  it("makes a value storable by replacing NUL and lone surrogates, keeping well-formed pairs", () => {
    const fixed = makeStorable({ a: "x\u0000y", list: ["\udc00", "😀"], ["k\ud800"]: { deep: "ok" } });
    expect(fixed).toEqual({ a: "x\uFFFDy", list: ["\uFFFD", "😀"], ["k\uFFFD"]: { deep: "ok" } });
    expect(findUnstorable(fixed)).toBeNull();
  });
});

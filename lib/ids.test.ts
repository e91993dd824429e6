import { describe, expect, it } from "vitest";
import { newId } from "./ids";

describe("newId", () => {
  it("gives distinct prefixed ids across refills of its random pool", () => {
    const ids = Array.from({ length: 2_000 }, () => newId("dec")); // 256 ids per 4 KB pool: several refills
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^dec_[0-9a-hjkmnp-tv-z]{16}$/);
  });
});

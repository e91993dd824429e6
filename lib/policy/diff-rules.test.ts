import { describe, expect, it } from "vitest";
import { diffRules, summarize } from "./diff-rules";
import { ruleSchema } from "./rules";

const base = ruleSchema.parse({ id: "r_abcdef01", name: "refunds", tool: "stripe", operations: ["refunds.create"], approval: { tier: "threshold", arg: "amount_cents", above: 100 } });

describe("diffRules", () => {
  it("ignores key order (jsonb reorders keys)", () => {
    const reordered = JSON.parse(JSON.stringify({ ...base, approval: { above: 100, expiresInMinutes: 60, arg: "amount_cents", tier: "threshold" } }));
    expect(diffRules([base], [reordered])).toEqual([]);
  });
  it("names added, removed and changed rules with the fields that changed", () => {
    const changed = { ...base, name: "refunds v2" };
    const added = ruleSchema.parse({ id: "r_abcdef02", name: "reads", tool: "stripe", operations: ["*"] });
    const changes = diffRules([base], [changed, added]);
    expect(changes.map((c) => c.kind).sort()).toEqual(["added", "changed"]);
    expect(changes.find((c) => c.kind === "changed")).toMatchObject({ fields: [{ field: "name", before: "refunds", after: "refunds v2" }] });
    expect(summarize(diffRules([base, added], []))).toBe("2 removed");
  });
});

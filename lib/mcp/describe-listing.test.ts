import { describe, expect, it } from "vitest";
import { describeListing } from "./describe-listing";
import type { OperationListing } from "./list-mcp-tools";

const base = { toolName: "stripe", toolDisplayName: "Stripe", operation: "refunds.create", mcpName: "stripe__refunds_create", notes: [], upstreamProblem: null, entry: null };
const rule = (name: string) => ({ id: `r_${name.length}`, name });

describe("describeListing", () => {
  it("says why each operation is or is not listed", () => {
    const views = describeListing([
      { ...base, listed: true, reason: { code: "permitted", rules: [rule("Refunds"), rule("Everything")] } },
      { ...base, listed: false, reason: { code: "forbidden", rule: rule("No refunds") } },
      { ...base, listed: false, reason: { code: "no_permit_rule", shadowRules: [] } },
      { ...base, listed: false, reason: { code: "no_permit_rule", shadowRules: [rule("Trial")] } },
    ] as OperationListing[]);
    expect(views.map((v) => v.why)).toEqual([
      "Permitted by “Refunds”, “Everything”.",
      "Forbidden by “No refunds”, whatever the arguments.",
      "No rule permits it for this agent.",
      "No enforced rule permits it (“Trial” would, but it is in shadow mode).",
    ]);
    expect(views[0]).toMatchObject({ tool: "stripe", operation: "refunds.create", mcpName: "stripe__refunds_create", listed: true, warnings: [] });
  });

  it("warns about what stops a listed operation's calls", () => {
    const [view] = describeListing([
      {
        ...base,
        listed: true,
        reason: { code: "permitted", rules: [rule("Refunds")] },
        notes: [{ code: "conditional_forbid", rule: rule("Not big") }, { code: "tool_halted", reason: "incident" }],
        upstreamProblem: { code: "connection_disabled", connection: "stripe-live" },
      },
    ]);
    expect(view!.warnings).toEqual([
      "“Not big” forbids the calls that match its conditions.",
      "The tool is halted by a kill switch (incident): every call is denied.",
      "Calls fail: the connection “stripe-live” is disabled.",
    ]);
    expect(describeListing([{ ...base, listed: true, reason: { code: "permitted", rules: [] }, upstreamProblem: { code: "no_upstream" } }])[0]!.warnings).toEqual([
      "Calls fail: the tool has no upstream, so Gatehouse cannot execute them.",
    ]);
  });
});

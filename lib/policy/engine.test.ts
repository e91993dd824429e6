import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRule } from "./compile-rules";
import { evaluate, withRules, type TenantPolicy } from "./engine";
import { ruleSchema, type Rule, type RuleInput } from "./rules";

/** A policy snapshot without a database: tools t0..t3 with operations o0..o3 taking any arguments. */
function snapshot(rules: RuleInput[]): TenantPolicy {
  const operations = new Map();
  for (let t = 0; t < 4; t++) {
    for (let o = 0; o < 4; o++) {
      operations.set(`t${t}/o${o}`, { tool: `t${t}`, name: `o${o}`, riskClass: "write", reversible: true, argsSchema: { type: "object" } });
    }
  }
  const base: TenantPolicy = { tenantId: "ten_prop", version: 1, rulesKey: "v1", rules: [], tools: new Set(["t0", "t1", "t2", "t3"]), operations, killedTools: new Map(), slices: new Map() };
  return withRules(base, rules.map((r) => ruleSchema.parse(r)));
}

let n = 0;
const id = () => `r_prop${(n++).toString(36).padStart(6, "0")}`;
const agent = { id: "agt_1", labels: ["support"] };

const ruleArb: fc.Arbitrary<RuleInput> = fc
  .record({
    tool: fc.constantFrom("t0", "t1", "t2"),
    operations: fc.oneof(fc.constant(["*"]), fc.subarray(["o0", "o1", "o2"], { minLength: 1 })),
    effect: fc.constantFrom("permit" as const, "forbid" as const),
    agents: fc.constantFrom([], ["agt_1"], ["agt_2"]),
    groups: fc.constantFrom([], ["support"], ["ops"]),
    withMax: fc.boolean(),
  })
  .map(({ withMax, ...r }): RuleInput => ({ ...r, operations: [...r.operations], agents: [...r.agents], groups: [...r.groups], constraints: withMax ? [{ op: "max", arg: "n", value: 50 }] : [], id: id(), name: "prop" }));

describe("the threshold approval tier", () => {
  const policy = snapshot([{ id: id(), name: "refunds", tool: "t0", operations: ["o0"], approval: { tier: "threshold", arg: "amount", above: 100 } }]);
  const outcome = (args: Record<string, unknown>) => evaluate(policy, { agent, tool: "t0", operation: "o0", args });

  it("asks a human above the threshold, not at or below it", () => {
    expect([outcome({ amount: 100 }).outcome, outcome({ amount: -5 }).outcome, outcome({ amount: 100.5 }).outcome]).toEqual(["allow", "allow", "pending_approval"]);
  });

  it("fails closed: a missing amount, or one sent as text, needs approval and says why", () => {
    for (const args of [{}, { amount: "50" }, { amount: "5000" }, { amount: null }, { amount: [5000] }]) {
      const result = outcome(args);
      expect(result.outcome).toBe("pending_approval");
      expect(result.reasons[0]?.message).toBe('Rule "refunds" requires approval when amount is above 100 or not a number, as in this call.');
    }
  });
});

describe("policy properties", () => {
  it("default deny: an action no rule names is denied", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 8 }), fc.integer({ min: 0, max: 1000 }), (rules, value) => {
        // t3 and o3 are never named by a generated rule (operations "*" covers o3 of t0..t2, so use t3).
        const result = evaluate(snapshot(rules), { agent, tool: "t3", operation: "o3", args: { n: value } });
        expect(result.outcome).toBe("deny");
        expect(result.reasons[0]!.code).toBe("no_matching_allow_rule");
      }),
      { numRuns: 150 },
    );
  });

  it("forbid beats permit: if any applicable forbid rule matches, the answer is deny", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 8 }), fc.constantFrom("t0", "t1", "t2"), fc.constantFrom("o0", "o1", "o2"), fc.integer({ min: 0, max: 100 }), (rules, tool, operation, value) => {
        const forbid: RuleInput = { id: id(), name: "forbid all", tool, operations: ["*"], effect: "forbid" };
        const permit: RuleInput = { id: id(), name: "permit all", tool, operations: ["*"], effect: "permit" };
        const result = evaluate(snapshot([...rules, permit, forbid]), { agent, tool, operation, args: { n: value } });
        expect(result.outcome).toBe("deny");
        expect(result.reasons.some((r) => r.code === "forbidden_by_rule")).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("agrees with a reference model of permit/forbid/default-deny", () => {
    const applies = (r: Rule, tool: string, op: string) =>
      r.tool === tool && (r.operations.includes("*") || r.operations.includes(op)) && (r.agents.length + r.groups.length === 0 || r.agents.includes(agent.id) || r.groups.some((g) => agent.labels.includes(g)));
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 10 }), fc.constantFrom("t0", "t1", "t2"), fc.constantFrom("o0", "o1", "o2", "o3"), fc.integer({ min: 0, max: 100 }), (inputs, tool, operation, value) => {
        const rules = inputs.map((r) => ruleSchema.parse(r));
        const matching = rules.filter((r) => applies(r, tool, operation) && r.constraints.every((c) => c.op !== "max" || value <= c.value));
        const expected = matching.some((r) => r.effect === "forbid") ? "deny" : matching.some((r) => r.effect === "permit") ? "allow" : "deny";
        expect(evaluate(snapshot(inputs), { agent, tool, operation, args: { n: value } }).outcome).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("compiled Cedar", () => {
  it("guards every argument access with has, so a missing argument never errors", () => {
    const cedar = compileRule(ruleSchema.parse({ id: "r_abcdef", name: "x", tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 10 }] }));
    expect(cedar).toContain('context.args has "amount_cents" && context.args["amount_cents"] <= 10');
  });

  it("denies, with the schema errors, arguments that do not match the operation's schema", () => {
    const policy = snapshot([]);
    policy.operations.set("t0/o0", { tool: "t0", name: "o0", riskClass: "money", reversible: false, argsSchema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] } });
    const result = evaluate(policy, { agent, tool: "t0", operation: "o0", args: { n: "ten" } });
    expect(result).toMatchObject({ outcome: "deny", reasons: [{ code: "invalid_args", details: [{ path: "/n", message: "must be integer" }] }] });
  });

  it("fails closed when a forbid rule cannot be evaluated", () => {
    const result = evaluate(snapshot([
      { id: id(), name: "permit", tool: "t0", operations: ["*"] },
      { id: id(), name: "forbid odd", tool: "t0", operations: ["*"], effect: "forbid", cedar: 'context.args["n"] > 5' },
    ]), { agent, tool: "t0", operation: "o0", args: {} });
    expect(result).toMatchObject({ outcome: "deny", reasons: [{ code: "policy_error" }] });
  });
});

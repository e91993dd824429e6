import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { Tx } from "@/lib/db/client";
import { argAttributes, cedarSchema } from "./cedar-schema";
import { compileRules } from "./compile-rules";
import { rulesSchema, type Rule } from "./rules";

export type RuleProblem = { ruleId: string | null; field: string; message: string };

/**
 * Checks a rule set against the tenant's tool registry: zod shape, tools and operations
 * that exist, then Cedar's strict validator over the compiled policies against the schema
 * generated from the registry (argument names and types, raw Cedar conditions).
 */
export async function validateRules(tx: Tx, tenantId: string, raw: unknown): Promise<{ rules: Rule[]; problems: RuleProblem[] }> {
  const parsed = rulesSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      rules: [],
      problems: parsed.error.issues.map((i) => {
        const index = typeof i.path[0] === "number" ? i.path[0] : null;
        const ruleId = index !== null && Array.isArray(raw) ? ((raw[index] as { id?: string })?.id ?? null) : null;
        return { ruleId, field: i.path.slice(1).join(".") || "(rule)", message: i.message };
      }),
    };
  }
  const rules = parsed.data;
  const tools = await tx.tool.findMany({ where: { tenantId }, include: { operations: true } });
  const byName = new Map(tools.map((t) => [t.name, new Map(t.operations.map((o) => [o.name, Object.keys(argAttributes(o.argsSchema))]))]));
  const problems: RuleProblem[] = [];
  for (const rule of rules) {
    const ops = byName.get(rule.tool);
    if (!ops) {
      problems.push({ ruleId: rule.id, field: "tool", message: `No tool named ${rule.tool} is registered.` });
      continue;
    }
    for (const op of rule.operations) if (op !== "*" && !ops.has(op)) problems.push({ ruleId: rule.id, field: "operations", message: `${rule.tool} has no operation ${op}.` });
    // Conditions are guarded with `has`, so Cedar would accept a misspelt argument that can never match: catch it here.
    const covered = rule.operations.includes("*") ? [...ops.values()] : rule.operations.map((op) => ops.get(op) ?? []);
    const known = new Set(covered.flat());
    const named = [
      ...rule.constraints.map((c) => ({ field: "constraints", arg: c.arg })),
      ...rule.destinations.map((d) => ({ field: "destinations", arg: d.arg })),
      ...(rule.approval.tier === "threshold" ? [{ field: "approval", arg: rule.approval.arg }] : []),
    ];
    for (const { field, arg } of named) {
      if (!known.has(arg)) problems.push({ ruleId: rule.id, field, message: `${arg} is not an argument of ${rule.tool} ${rule.operations.join(", ")} that policies can use (integer, string, boolean or a set of them).` });
    }
    if (rule.approval.tier === "threshold" && rule.effect === "forbid") problems.push({ ruleId: rule.id, field: "approval", message: "Forbid rules have no approval tier." });
  }
  if (problems.length || rules.length === 0) return { rules, problems };

  const schema = cedarSchema(tools.flatMap((t) => t.operations.map((o) => ({ tool: t.name, name: o.name, argsSchema: o.argsSchema }))));
  const answer = cedar.validate({ schema, policies: { staticPolicies: compileRules(rules) }, validationSettings: { mode: "strict" } });
  if (answer.type === "failure") {
    problems.push(...answer.errors.map((e) => ({ ruleId: null, field: "cedar", message: e.message })));
  } else {
    for (const e of answer.validationErrors) {
      problems.push({ ruleId: e.policyId, field: rules.find((r) => r.id === e.policyId)?.cedar ? "cedar" : "conditions", message: e.error.message + (e.error.help ? ` (${e.error.help})` : "") });
    }
  }
  return { rules, problems };
}

import type { RiskClass } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { agentCoverage, toolCoverage, type Coverage } from "@/lib/gateway/coverage";
import { rulesSchema, ruleAppliesTo, type Rule } from "./rules";

export const DANGEROUS: RiskClass[] = ["delete", "deploy", "money", "identity"];

/**
 * "Which agents can delete data, deploy code, move money, change identities?" from the
 * published policy: every enforced permit rule that grants an agent an operation of a
 * dangerous risk class, with the rule, its approval tier, whether conditions narrow it,
 * and any forbid rule that also covers it. Each grant says whether its tool is enforced by
 * the gateway or advisory; each agent, whether every tool its policy allows is enforced.
 */
export async function capabilityReport({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const [published, agents, tools] = await Promise.all([
      tx.policyVersion.findFirst({ where: { tenantId }, orderBy: { version: "desc" } }),
      tx.agent.findMany({ where: { tenantId, status: { not: "decommissioned" } }, orderBy: { name: "asc" } }),
      tx.tool.findMany({ where: { tenantId }, include: { operations: true, connection: { select: { status: true } } } }),
    ]);
    const rules: Rule[] = published ? rulesSchema.parse(published.rules).filter((r) => r.mode === "enforce") : [];
    const opsOf = new Map(tools.map((t) => [t.name, t.operations]));
    const coverageOf = new Map(tools.map((t) => [t.name, toolCoverage(t)]));
    const conditional = (r: Rule) => r.resources.length > 0 || r.constraints.length > 0 || r.destinations.length > 0 || r.timeWindow !== null || r.cedar !== "";
    const grants: {
      agentId: string;
      agentName: string;
      agentStatus: string;
      capability: RiskClass;
      tool: string;
      operation: string;
      ruleId: string;
      ruleName: string;
      approval: Rule["approval"]["tier"];
      conditional: boolean;
      restrictedBy: string[];
      coverage: Coverage;
    }[] = [];
    const agentCoverages: { agentId: string; coverage: Coverage }[] = [];
    for (const agent of agents) {
      const applicable = rules.filter((r) => ruleAppliesTo(r, agent));
      const allowedTools = new Set(applicable.filter((r) => r.effect === "permit").map((r) => r.tool));
      agentCoverages.push({ agentId: agent.id, coverage: agentCoverage([...allowedTools].map((t) => coverageOf.get(t) ?? "advisory")) });
      for (const rule of applicable.filter((r) => r.effect === "permit")) {
        for (const op of opsOf.get(rule.tool) ?? []) {
          if (!DANGEROUS.includes(op.riskClass)) continue;
          if (!rule.operations.includes("*") && !rule.operations.includes(op.name)) continue;
          const forbids = applicable.filter((f) => f.effect === "forbid" && f.tool === rule.tool && (f.operations.includes("*") || f.operations.includes(op.name)));
          grants.push({
            agentId: agent.id,
            agentName: agent.name,
            agentStatus: agent.status,
            capability: op.riskClass,
            tool: rule.tool,
            operation: op.name,
            ruleId: rule.id,
            ruleName: rule.name,
            approval: rule.approval.tier,
            conditional: conditional(rule),
            restrictedBy: forbids.map((f) => f.name),
            coverage: coverageOf.get(rule.tool) ?? "advisory",
          });
        }
      }
    }
    return { version: published?.version ?? null, capabilities: DANGEROUS, grants, agents: agentCoverages };
  });
}

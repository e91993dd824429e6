import { withTenant } from "@/lib/db/tenant";
import { argAttributes } from "./cedar-schema";

/** Tools, operations and their arguments (name and Cedar-visible type), and agents with groups: what the rule form offers. */
export async function registryForEditor({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const [tools, agents] = await Promise.all([
      tx.tool.findMany({ where: { tenantId }, orderBy: { name: "asc" }, include: { operations: { orderBy: { name: "asc" } } } }),
      tx.agent.findMany({ where: { tenantId, status: { not: "decommissioned" } }, orderBy: { name: "asc" }, select: { id: true, name: true, labels: true } }),
    ]);
    return {
      tools: tools.map((t) => ({
        name: t.name,
        displayName: t.displayName,
        operations: t.operations.map((o) => ({
          name: o.name,
          riskClass: o.riskClass,
          reversible: o.reversible,
          args: Object.entries(argAttributes(o.argsSchema)).map(([name, type]) => ({ name, type: type.type === "Set" ? `Set<${type.element.type}>` : type.type })),
        })),
      })),
      agents,
      groups: [...new Set(agents.flatMap((a) => a.labels))].sort(),
    };
  });
}

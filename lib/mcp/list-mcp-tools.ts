import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { TenantCache } from "@/lib/agents/tenant-cache";
import { withTenant } from "@/lib/db/tenant";
import { policyCache } from "@/lib/policy/engine";
import { ruleAppliesTo, ruleCoversOperation, type Rule } from "@/lib/policy/rules";
import { annotationsFor, mcpToolName, type ToolAnnotations } from "./tool-names";

export type McpTool = { name: string; title: string; description: string; inputSchema: Record<string, unknown>; annotations: ToolAnnotations };
export type McpToolEntry = { tool: McpTool; toolName: string; operation: string };

const loadRegistry = (tenantId: string) =>
  withTenant({ tenantId }, (tx) => tx.tool.findMany({ where: { tenantId }, orderBy: { name: "asc" }, include: { operations: { orderBy: { name: "asc" } } } }));

// Descriptions and schemas for tools/list, held like the policy (dropped on publish or a registry change), so listing and every tools/call stay off the database.
const globalCache = globalThis as unknown as { gatehouseMcpRegistry?: TenantCache<Awaited<ReturnType<typeof loadRegistry>>> };
const registryCache = (globalCache.gatehouseMcpRegistry ??= new TenantCache({ kinds: ["policy", "tenant"], ttlMs: 30_000, load: loadRegistry }));

/** A forbid that holds for every call: no condition could make it not match. */
const unconditional = (r: Rule) => r.resources.length === 0 && r.constraints.length === 0 && r.destinations.length === 0 && r.timeWindow === null && r.cedar === "";

/**
 * The operations this agent's published policy could allow (least privilege): some
 * enforced permit rule names the agent and the operation, and no unconditional enforced
 * forbid rule does. Whether a given call is allowed is still decided per call.
 */
export async function listMcpTools(agent: AgentPrincipal): Promise<McpToolEntry[]> {
  const policy = await policyCache.get(agent.tenantId);
  const who = { id: agent.agentId, labels: agent.labels };
  const rules = policy.rules.filter((r) => r.mode === "enforce" && ruleAppliesTo(r, who));
  const permitted = new Set(rules.filter((r) => r.effect === "permit").map((r) => r.tool));
  if (permitted.size === 0) return [];
  const tools = (await registryCache.get(agent.tenantId)).filter((t) => permitted.has(t.name));
  const entries: McpToolEntry[] = [];
  for (const tool of tools) {
    for (const op of tool.operations) {
      const covering = rules.filter((r) => ruleCoversOperation(r, tool.name, op.name));
      if (!covering.some((r) => r.effect === "permit")) continue;
      if (covering.some((r) => r.effect === "forbid" && unconditional(r))) continue;
      const schema = op.argsSchema && typeof op.argsSchema === "object" && !Array.isArray(op.argsSchema) ? (op.argsSchema as Record<string, unknown>) : {};
      entries.push({
        toolName: tool.name,
        operation: op.name,
        tool: {
          name: mcpToolName(tool.name, op.name),
          title: `${tool.displayName}: ${op.name}`,
          description: op.description || tool.description || `${op.name} on ${tool.displayName}`,
          // MCP requires an object schema at the top.
          inputSchema: { ...schema, type: "object" },
          annotations: annotationsFor(op.riskClass, op.reversible, `${tool.displayName}: ${op.name}`),
        },
      });
    }
  }
  return entries;
}

import { withTenant } from "@/lib/db/tenant";

export async function listRecentRuns({ tenantId, take = 50 }: { tenantId: string; take?: number }) {
  return withTenant({ tenantId }, async (tx) => {
    const runs = await tx.run.findMany({ where: { tenantId }, orderBy: { startedAt: "desc" }, take });
    const agents = await tx.agent.findMany({ where: { tenantId, id: { in: [...new Set(runs.map((r) => r.agentId))] } }, select: { id: true, name: true } });
    const name = new Map(agents.map((a) => [a.id, a.name]));
    return runs.map((r) => ({ ...r, agentName: name.get(r.agentId) ?? r.agentId, costUsd: r.costUsd.toString() }));
  });
}

import { withTenant } from "@/lib/db/tenant";

/** The counts on the Overview page, read in one transaction. */
export async function getTenantOverview({ tenantId }: { tenantId: string }) {
  const since = new Date(Date.now() - 24 * 60 * 60 * 1000);
  return withTenant({ tenantId }, async (tx) => {
    const [members, agents, activeAgents, pendingApprovals, runs24h, decisions24h, auditEntries, lastVerification, recentAudit] =
      await Promise.all([
        tx.membership.count({ where: { tenantId } }),
        tx.agent.count({ where: { tenantId } }),
        tx.agent.count({ where: { tenantId, status: "active" } }),
        tx.approval.count({ where: { tenantId, status: "pending" } }),
        tx.run.count({ where: { tenantId, startedAt: { gte: since } } }),
        tx.decision.groupBy({ by: ["outcome"], where: { tenantId, createdAt: { gte: since } }, _count: true }),
        tx.auditEntry.count({ where: { tenantId } }),
        tx.auditVerification.findFirst({ where: { tenantId }, orderBy: { createdAt: "desc" } }),
        tx.auditEntry.findMany({ where: { tenantId }, orderBy: { seq: "desc" }, take: 6 }),
      ]);
    return {
      members,
      agents,
      activeAgents,
      pendingApprovals,
      runs24h,
      decisions24h: Object.fromEntries(decisions24h.map((d) => [d.outcome, d._count])) as Partial<Record<"allow" | "deny" | "pending_approval", number>>,
      auditEntries,
      lastVerification,
      recentAudit,
    };
  });
}

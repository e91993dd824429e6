import type { Tx } from "@/lib/db/client";

/**
 * What stopping a scope means for work in flight: its pending approvals are cancelled and
 * its running runs are marked terminated. Scope: one agent, one tool, or the whole tenant.
 */
export async function haltScope(tx: Tx, scope: { tenantId: string; agentId?: string; tool?: string }) {
  const approvals = await tx.approval.updateMany({
    where: {
      tenantId: scope.tenantId,
      status: "pending",
      ...(scope.agentId && { agentId: scope.agentId }),
      ...(scope.tool && { action: { path: ["tool"], equals: scope.tool } }),
    },
    data: { status: "cancelled", decidedAt: new Date() },
  });
  // A tool stop leaves runs alone: the agent may carry on with other tools.
  const runs = scope.tool
    ? { count: 0 }
    : await tx.run.updateMany({
        where: { tenantId: scope.tenantId, status: "running", ...(scope.agentId && { agentId: scope.agentId }) },
        data: { status: "finished", outcome: "terminated", finishedAt: new Date() },
      });
  return { cancelledApprovals: approvals.count, terminatedRuns: runs.count };
}

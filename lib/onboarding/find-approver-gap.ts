import { PERMISSIONS } from "@/lib/auth/roles";
import type { Role } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";

export type ApproverGap = {
  /** Members whose role may decide approvals: 0, 1, or 2 for two or more. */
  deciders: number;
  /** Active agents whose requests nobody may approve, at most `sample` of them named. */
  blockedAgents: { count: number; sample: { id: string; name: string }[] };
};

/**
 * Separation of duties means nobody approves a request of an agent they own. An agent's
 * requests can be approved only if some member other than its owner may decide
 * approvals: with no decider every active agent is stuck, with one, the agents that
 * member owns are.
 */
export async function findApproverGap({ tenantId, sample = 3 }: { tenantId: string; sample?: number }): Promise<ApproverGap> {
  return withTenant({ tenantId }, async (tx) => {
    const deciders = await tx.membership.findMany({ where: { tenantId, role: { in: [...PERMISSIONS["approvals.decide"]] as Role[] } }, select: { userId: true }, take: 2 });
    if (deciders.length >= 2) return { deciders: deciders.length, blockedAgents: { count: 0, sample: [] } };
    const where = { tenantId, status: "active" as const, ...(deciders.length === 1 && { ownerId: deciders[0]!.userId }) };
    const [count, agents] = await Promise.all([
      tx.agent.count({ where }),
      tx.agent.findMany({ where, orderBy: { createdAt: "asc" }, take: sample, select: { id: true, name: true } }),
    ]);
    return { deciders: deciders.length, blockedAgents: { count, sample: agents } };
  });
}

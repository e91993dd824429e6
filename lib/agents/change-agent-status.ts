import type { MemberContext } from "@/lib/auth/member";
import type { AgentStatus } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { haltScope } from "@/lib/kill-switches/halt-scope";
import { auditAgentChange } from "./agent-audit";
import { authState } from "./auth-state";

const ACTION: Record<AgentStatus, string> = {
  active: "agent.reactivated",
  suspended: "agent.suspended",
  decommissioned: "agent.decommissioned",
};

/**
 * Suspend (the per-agent kill switch), reactivate, or decommission (final: credentials
 * revoked, name kept for the record). Stopping an agent cancels its pending approvals and
 * terminates its running runs; every process rejects its tokens within a second, and the
 * tokens issued before a stop stay refused after reactivation.
 */
export async function changeAgentStatus(input: { actor: MemberContext; agentId: string; status: AgentStatus; reason: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    const agent = await tx.agent.findFirst({ where: { id: input.agentId, tenantId } });
    if (!agent) throw new AppError("not_found", "Agent not found.");
    if (agent.status === "decommissioned") throw new AppError("conflict", "Decommissioning is final.");
    if (agent.status === input.status) throw new AppError("conflict", `The agent is already ${input.status}.`);
    const now = new Date();
    // Stopping ends every token issued so far; reactivating issues new ones, it never revives those.
    const tokensValidAfter = input.status === "active" ? undefined : now;
    await tx.agent.update({ where: { id: agent.id }, data: { status: input.status, statusReason: input.reason, tokensValidAfter } });
    let revokedCredentials = 0;
    if (input.status === "decommissioned") {
      revokedCredentials = (
        await tx.agentCredential.updateMany({
          where: { tenantId, agentId: agent.id, revokedAt: null },
          data: { revokedAt: now, revokedReason: `agent decommissioned: ${input.reason}` },
        })
      ).count;
    }
    const halted = input.status === "active" ? { cancelledApprovals: 0, terminatedRuns: 0 } : await haltScope(tx, { tenantId, agentId: agent.id });
    await auditAgentChange(tx, {
      actor: input.actor,
      agentId: agent.id,
      action: ACTION[input.status],
      before: { status: agent.status },
      after: { status: input.status, reason: input.reason, revokedCredentials, ...halted },
      requestId: input.requestId,
    });
    return { status: input.status, revokedCredentials, ...halted };
  });
  await authState.publish({ kind: "agent", id: input.agentId });
  return result;
}

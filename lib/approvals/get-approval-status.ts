import { withTenant } from "@/lib/db/tenant";
import { approvalEvents } from "./approval-events";
import { expireDueApprovals } from "./expire-approvals";

export type ApprovalStatusAnswer = {
  id: string;
  status: "pending" | "approved" | "denied" | "expired" | "cancelled";
  decided_by: { email: string; name: string; verdict: string; at: string; comment: string }[];
  decided_at: string | null;
  comment: string | null;
  expires_at: string;
  required_approvals: number;
  required_groups: string[];
};

async function readStatus(tenantId: string, agentId: string, approvalId: string, settled = false): Promise<ApprovalStatusAnswer | null> {
  const answer = await withTenant({ tenantId }, async (tx) => {
    const approval = await tx.approval.findFirst({ where: { id: approvalId, tenantId, agentId }, include: { votes: { orderBy: { createdAt: "asc" } } } });
    if (!approval) return null;
    // Expiry means denied: settle it on read (once, with its audit and timeline entries),
    // so no worker delay shows to the agent.
    if (!settled && approval.status === "pending" && approval.expiresAt <= new Date()) return "expire" as const;
    const users = await tx.user.findMany({ where: { id: { in: approval.votes.map((v) => v.userId) } }, select: { id: true, email: true, name: true } });
    const byId = new Map(users.map((u) => [u.id, u]));
    const last = approval.votes.at(-1);
    return {
      id: approval.id,
      status: approval.status,
      decided_by: approval.votes.map((v) => ({ email: byId.get(v.userId)?.email ?? "unknown", name: byId.get(v.userId)?.name ?? "unknown", verdict: v.verdict, at: v.createdAt.toISOString(), comment: v.comment })),
      decided_at: approval.decidedAt?.toISOString() ?? null,
      comment: last?.comment || null,
      expires_at: approval.expiresAt.toISOString(),
      required_approvals: approval.requiredApprovals,
      required_groups: approval.requiredGroups,
    };
  });
  if (answer !== "expire") return answer;
  await expireDueApprovals({ tenantId, approvalId });
  return readStatus(tenantId, agentId, approvalId, true);
}

/**
 * GET /api/v1/approvals/{id}?wait=: the approval's status, for the agent that asked. With
 * `wait`, holds the call until the status leaves pending (woken over Redis by the process
 * that recorded the decision) or the wait or the request's expiry runs out.
 */
export async function getApprovalStatus(input: { tenantId: string; agentId: string; approvalId: string; waitSeconds: number; signal?: AbortSignal }) {
  const deadline = Date.now() + input.waitSeconds * 1000;
  let answer = await readStatus(input.tenantId, input.agentId, input.approvalId);
  while (answer && answer.status === "pending" && Date.now() < deadline) {
    const untilExpiry = new Date(answer.expires_at).getTime() - Date.now();
    if ((await approvalEvents.waitFor(input.approvalId, Math.max(0, Math.min(deadline - Date.now(), untilExpiry + 50)), input.signal)) === "cancelled") break;
    answer = await readStatus(input.tenantId, input.agentId, input.approvalId);
  }
  return answer;
}

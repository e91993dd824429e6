import { withTenant } from "@/lib/db/tenant";
import type { Reason } from "@/lib/policy/engine";

/**
 * Redeems an approved request for the action it was approved for, once. Returns null
 * when redeemed, else the reason to deny. The claim is one conditional UPDATE, so two
 * concurrent redemptions cannot both succeed.
 */
export async function redeemApproval(input: { tenantId: string; agentId: string; approvalId: string; actionHash: string }): Promise<Reason | null> {
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const approval = await tx.approval.findFirst({ where: { id: input.approvalId, tenantId: input.tenantId, agentId: input.agentId } });
    if (!approval) return { code: "approval_not_found", message: "No approval with this id for this agent." };
    if (approval.actionHash !== input.actionHash) {
      return { code: "approval_mismatch", message: "The action differs from the one that was approved; request a new approval." };
    }
    if (approval.redeemedAt) return { code: "approval_already_used", message: "This approval was already used." };
    if (approval.status === "pending" && approval.expiresAt <= new Date()) return { code: "approval_expired", message: "The approval request expired." };
    if (approval.status !== "approved") return { code: `approval_${approval.status}`, message: `The approval is ${approval.status}.` };
    const claimed = await tx.approval.updateMany({
      where: { id: approval.id, status: "approved", redeemedAt: null },
      data: { redeemedAt: new Date() },
    });
    return claimed.count === 1 ? null : { code: "approval_already_used", message: "This approval was already used." };
  });
}

import { withTenant } from "@/lib/db/tenant";
import type { Reason } from "@/lib/policy/engine";

export type Redemption = { ok: true; quotaIds: string[]; claimedAt: Date } | { ok: false; reason: Reason };

/**
 * Redeems an approved request for the action it was approved for, once: on success with
 * the limits it extends once (pause-and-ask), else with the reason to deny. The claim is
 * one conditional UPDATE, so two concurrent redemptions cannot both succeed.
 */
export async function redeemApproval(input: { tenantId: string; agentId: string; approvalId: string; actionHash: string }): Promise<Redemption> {
  const refuse = (code: string, message: string): Redemption => ({ ok: false, reason: { code, message } });
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const approval = await tx.approval.findFirst({ where: { id: input.approvalId, tenantId: input.tenantId, agentId: input.agentId } });
    if (!approval) return refuse("approval_not_found", "No approval with this id for this agent.");
    if (approval.actionHash !== input.actionHash) {
      return refuse("approval_mismatch", "The action differs from the one that was approved; request a new approval.");
    }
    if (approval.redeemedAt) return refuse("approval_already_used", "This approval was already used.");
    if (approval.status === "pending" && approval.expiresAt <= new Date()) return refuse("approval_expired", "The approval request expired.");
    if (approval.status !== "approved") return refuse(`approval_${approval.status}`, `The approval is ${approval.status}.`);
    const claimedAt = new Date();
    const claimed = await tx.approval.updateMany({
      where: { id: approval.id, status: "approved", redeemedAt: null },
      data: { redeemedAt: claimedAt },
    });
    return claimed.count === 1 ? { ok: true, quotaIds: approval.quotaIds, claimedAt } : refuse("approval_already_used", "This approval was already used.");
  });
}

/**
 * Gives back a claim whose call was then not allowed (a hard limit, Redis down), so the
 * approval stays usable. Only this claim is undone: matched by its own timestamp.
 */
export async function releaseRedemption(input: { tenantId: string; approvalId: string; claimedAt: Date }): Promise<void> {
  await withTenant({ tenantId: input.tenantId }, (tx) =>
    tx.approval.updateMany({ where: { id: input.approvalId, tenantId: input.tenantId, redeemedAt: input.claimedAt }, data: { redeemedAt: null } }),
  );
}

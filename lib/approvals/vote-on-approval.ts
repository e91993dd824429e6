import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/http/errors";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import { approvalEvents } from "./approval-events";

/**
 * One approver's verdict. Separation of duties: the agent's owner cannot approve its
 * requests, and a person counts once. A deny decides at once; approvals decide when the
 * required number of distinct approvers have approved. Expired requests count as denied.
 */
export async function voteOnApproval(input: { actor: MemberContext; approvalId: string; verdict: "approve" | "deny"; comment?: string; requestId?: string }) {
  const { actor } = input;
  const tenantId = actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    // Row lock: concurrent votes on one request are applied one after the other.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM approvals WHERE id = ${input.approvalId} AND "tenantId" = ${tenantId} FOR UPDATE`;
    if (!locked.length) throw new AppError("not_found", "Approval request not found.");
    const approval = await tx.approval.findUniqueOrThrow({ where: { id: input.approvalId }, include: { votes: true } });
    const now = new Date();
    if (approval.status === "pending" && approval.expiresAt <= now) {
      await tx.approval.update({ where: { id: approval.id }, data: { status: "expired", decidedAt: now } });
      return { status: "expired" as const, changed: true, error: new AppError("conflict", "This request expired before your vote; it counts as denied.") };
    }
    if (approval.status !== "pending") throw new AppError("conflict", `This request is already ${approval.status}.`);
    const agent = await tx.agent.findFirst({ where: { id: approval.agentId, tenantId }, select: { ownerId: true, name: true } });
    if (agent?.ownerId === actor.user.id) throw new AppError("forbidden", "You own this agent, so you cannot decide its requests (separation of duties).");
    if (approval.votes.some((v) => v.userId === actor.user.id)) throw new AppError("conflict", "You already voted on this request; each person counts once.");

    await tx.approvalVote.create({ data: { tenantId, approvalId: approval.id, userId: actor.user.id, verdict: input.verdict, comment: input.comment ?? "" } });
    const approvals = approval.votes.filter((v) => v.verdict === "approve").length + (input.verdict === "approve" ? 1 : 0);
    const status = input.verdict === "deny" ? "denied" : approvals >= approval.requiredApprovals ? "approved" : "pending";
    if (status !== "pending") {
      await tx.approval.update({ where: { id: approval.id }, data: { status, decidedAt: now } });
      await recordServerEvents(tx, {
        tenantId,
        events: [
          {
            agentId: approval.agentId,
            runExternalId: approval.runExternalId,
            key: `${approval.id}:decided`,
            type: "approval.decided",
            ts: now,
            payload: { approval_id: approval.id, status, decided_by: [...approval.votes.map((v) => v.userId), actor.user.id], comment: input.comment ?? "" },
          },
        ],
      });
    }
    await appendAuditEntry(tx, {
      tenantId,
      actor: { type: "user", id: actor.user.id, label: actor.user.email },
      action: input.verdict === "approve" ? "approval.approved_by" : "approval.denied_by",
      target: { type: "approval", id: approval.id },
      before: { status: approval.status, approvals: approvals - (input.verdict === "approve" ? 1 : 0), required: approval.requiredApprovals },
      // What the approver saw and decided on: the exact action (its hash binds the redemption).
      after: { status, comment: input.comment ?? "", agent: agent?.name, actionHash: approval.actionHash, action: approval.action, run: approval.runExternalId },
      requestId: input.requestId,
    });
    return { status, changed: status !== "pending", approvals, required: approval.requiredApprovals, error: null };
  });
  if (result.changed) await approvalEvents.announce(input.approvalId);
  if (result.error) throw result.error;
  return { status: result.status, approvals: result.approvals, required: result.required };
}

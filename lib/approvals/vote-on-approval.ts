import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { dispatchDeliveries, queueNotification } from "@/lib/notifications/queue-notification";
import { approvalEvents } from "./approval-events";
import { approvalDecidedMessage, approvalFacts } from "./approval-notifications";
import { afterExpiry, expireApprovalInTx } from "./expire-approvals";
import { groupCoverage, isApproved } from "./group-coverage";
import { ownersWhilePending } from "./owners-while-pending";
import { recordApprovalStep } from "./record-approval-step";

/**
 * One approver's verdict. Separation of duties: whoever owned the agent at any time
 * since the request (not only its owner now) cannot decide it, and a person counts once. A deny decides at once; approvals decide when the
 * required number of distinct approvers have approved AND every required approver group
 * has its own approving member (lib/approvals/group-coverage.ts: one person signs for at
 * most one group). The voter's groups are recorded with the vote as they were then.
 * Expired requests count as denied (and are settled as expired here if nobody noticed yet).
 */
export async function voteOnApproval(input: { actor: MemberContext; approvalId: string; verdict: "approve" | "deny"; comment?: string; requestId?: string }) {
  const { actor } = input;
  const tenantId = actor.tenant.id;
  const comment = input.comment ?? "";
  const result = await withTenant({ tenantId }, async (tx) => {
    // Row lock: concurrent votes on one request are applied one after the other.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM approvals WHERE id = ${input.approvalId} AND "tenantId" = ${tenantId} FOR UPDATE`;
    if (!locked.length) throw new AppError("not_found", "Approval request not found.");
    const approval = await tx.approval.findUniqueOrThrow({ where: { id: input.approvalId }, include: { votes: { orderBy: { createdAt: "asc" } } } });
    const now = new Date();
    if (approval.status === "pending" && approval.expiresAt <= now) {
      const expired = await expireApprovalInTx(tx, { tenantId, approvalId: approval.id, now });
      return { kind: "expired" as const, expired };
    }
    if (approval.status !== "pending") throw new AppError("conflict", `This request is already ${approval.status}.`);
    const agent = await tx.agent.findFirst({ where: { id: approval.agentId, tenantId }, select: { ownerId: true, name: true } });
    const owners = await ownersWhilePending(tx, { tenantId, agentId: approval.agentId, currentOwnerId: agent?.ownerId ?? null, since: approval.createdAt });
    if (owners.has(actor.user.id)) {
      throw new AppError("forbidden", "You own or owned this agent while this request was pending, so you cannot decide it (separation of duties).");
    }
    if (approval.votes.some((v) => v.userId === actor.user.id)) throw new AppError("conflict", "You already voted on this request; each person counts once.");

    const membership = await tx.membership.findFirst({ where: { tenantId, userId: actor.user.id }, select: { approverGroups: true } });
    const groups = membership?.approverGroups ?? [];
    await tx.approvalVote.create({ data: { tenantId, approvalId: approval.id, userId: actor.user.id, verdict: input.verdict, comment, groups } });

    const approversBefore = approval.votes.filter((v) => v.verdict === "approve").map((v) => ({ userId: v.userId, groups: v.groups }));
    const approvers = input.verdict === "approve" ? [...approversBefore, { userId: actor.user.id, groups }] : approversBefore;
    const coverage = groupCoverage(approval.requiredGroups, approvers);
    const status: "approved" | "denied" | "pending" =
      input.verdict === "deny" ? "denied" : isApproved({ requiredApprovals: approval.requiredApprovals, requiredGroups: approval.requiredGroups, approvers }) ? "approved" : "pending";
    let deliveryId: string | null = null;
    if (status !== "pending") {
      await tx.approval.update({ where: { id: approval.id }, data: { status, decidedAt: now } });
      const decidedBy = [...approval.votes.map((v) => v.userId), actor.user.id];
      await recordApprovalStep(tx, tenantId, approval, {
        key: "decided",
        type: "approval.decided",
        ts: now,
        payload: {
          status,
          decided_by: decidedBy,
          comment,
          ...(approval.requiredGroups.length ? { required_groups: approval.requiredGroups, signed_groups: coverage.signedBy } : {}),
        },
      });
      deliveryId = await queueNotification(tx, tenantId, async () => {
        const users = await tx.user.findMany({ where: { id: { in: decidedBy } }, select: { id: true, email: true } });
        const emailOf = new Map(users.map((u) => [u.id, u.email]));
        return approvalDecidedMessage({
          ...approvalFacts(approval, { tenantSlug: actor.tenant.slug, agentName: agent?.name ?? approval.agentId }),
          status,
          decidedBy: decidedBy.map((id) => emailOf.get(id) ?? id),
          comment,
        });
      });
    }
    await appendAuditEntry(tx, {
      tenantId,
      actor: { type: "user", id: actor.user.id, label: actor.user.email },
      action: input.verdict === "approve" ? "approval.approved_by" : "approval.denied_by",
      target: { type: "approval", id: approval.id },
      before: {
        status: approval.status,
        approvals: approversBefore.length,
        required: approval.requiredApprovals,
        ...(approval.requiredGroups.length ? { requiredGroups: approval.requiredGroups, missingGroups: groupCoverage(approval.requiredGroups, approversBefore).missing } : {}),
      },
      // What the approver saw and decided on: the exact action (its hash binds the redemption).
      after: {
        status,
        comment,
        agent: agent?.name,
        actionHash: approval.actionHash,
        action: approval.action,
        run: approval.runExternalId,
        voterGroups: groups,
        ...(approval.requiredGroups.length ? { signedGroups: coverage.signedBy, missingGroups: coverage.missing } : {}),
      },
      requestId: input.requestId,
    });
    return {
      kind: "voted" as const,
      status,
      approvals: approvers.length,
      required: approval.requiredApprovals,
      requiredGroups: approval.requiredGroups,
      missingGroups: coverage.missing,
      deliveryId,
    };
  });
  if (result.kind === "expired") {
    if (result.expired) await afterExpiry(tenantId, [result.expired]);
    throw new AppError("conflict", "This request expired before your vote; it counts as denied.");
  }
  if (result.status !== "pending") {
    await approvalEvents.announce(input.approvalId);
    await dispatchDeliveries(tenantId, [result.deliveryId]);
  }
  return { status: result.status, approvals: result.approvals, required: result.required, requiredGroups: result.requiredGroups, missingGroups: result.missingGroups };
}

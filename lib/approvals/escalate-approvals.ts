import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { dispatchDeliveries, queueNotification } from "@/lib/notifications/queue-notification";
import { approvalEscalatedMessage, approvalFacts } from "./approval-notifications";
import { recordApprovalStep } from "./record-approval-step";

export const ESCALATION_ACTOR = { type: "system", label: "approval escalation" } as const;

/**
 * Escalation: a pending request still unanswered at its `escalateAt` (set from the rule's
 * `escalateAfterMinutes`) notifies the group named `escalateTo`: a webhook message naming
 * the group and its members, an audit entry and a run-timeline event
 * (`approval.escalated`). Once per request: the conditional UPDATE of `escalatedAt` decides
 * who does it, and the rest commits with it. Called by the worker's every-minute sweep.
 */
export async function escalateDueApprovals(input: { tenantId: string; now?: Date; limit?: number }): Promise<string[]> {
  const { tenantId } = input;
  const now = input.now ?? new Date();
  const due = await withTenant({ tenantId }, (tx) =>
    tx.approval.findMany({
      where: { tenantId, status: "pending", escalatedAt: null, escalateAt: { lte: now }, escalateTo: { not: null }, expiresAt: { gt: now } },
      select: { id: true },
      orderBy: { escalateAt: "asc" },
      take: input.limit ?? 500,
    }),
  );
  const escalated: { approvalId: string; deliveryId: string | null }[] = [];
  for (const { id } of due) {
    const result = await withTenant({ tenantId }, async (tx) => {
      const claimed = await tx.approval.updateMany({
        where: { id, tenantId, status: "pending", escalatedAt: null, escalateAt: { lte: now }, expiresAt: { gt: now } },
        data: { escalatedAt: now },
      });
      if (claimed.count !== 1) return null;
      const approval = await tx.approval.findFirstOrThrow({ where: { id, tenantId }, include: { votes: true } });
      const group = approval.escalateTo!;
      const [agent, tenant, members] = await Promise.all([
        tx.agent.findFirst({ where: { id: approval.agentId, tenantId }, select: { name: true } }),
        tx.tenant.findFirst({ where: { id: tenantId }, select: { slug: true } }),
        tx.membership.findMany({ where: { tenantId, approverGroups: { has: group } }, select: { user: { select: { email: true } } } }),
      ]);
      const emails = members.map((m) => m.user.email).sort();
      const waitingMinutes = Math.round((now.getTime() - approval.createdAt.getTime()) / 60_000);
      await recordApprovalStep(tx, tenantId, approval, {
        key: "escalated",
        type: "approval.escalated",
        ts: now,
        payload: { escalated_to: group, notified: emails, waited_minutes: waitingMinutes },
      });
      await appendAuditEntry(tx, {
        tenantId,
        actor: ESCALATION_ACTOR,
        action: "approval.escalated",
        target: { type: "approval", id: approval.id },
        before: { status: "pending", escalatedAt: null, approvals: approval.votes.filter((v) => v.verdict === "approve").length, required: approval.requiredApprovals },
        after: { escalatedTo: group, notified: emails, escalatedAt: now, agent: agent?.name, run: approval.runExternalId, action: approval.action },
      });
      const deliveryId = await queueNotification(
        tx,
        tenantId,
        approvalEscalatedMessage({
          ...approvalFacts(approval, { tenantSlug: tenant?.slug ?? "", agentName: agent?.name ?? approval.agentId }),
          group,
          members: emails,
          waitingMinutes,
        }),
      );
      return { approvalId: approval.id, deliveryId };
    });
    if (result) escalated.push(result);
  }
  await dispatchDeliveries(tenantId, escalated.map((e) => e.deliveryId));
  return escalated.map((e) => e.approvalId);
}

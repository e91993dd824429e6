import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { dispatchDeliveries, queueNotification } from "@/lib/notifications/queue-notification";
import { approvalEvents } from "./approval-events";
import { approvalDecidedMessage, approvalFacts } from "./approval-notifications";
import { recordApprovalStep } from "./record-approval-step";

export const EXPIRY_ACTOR = { type: "system", label: "approval expiry" } as const;

/**
 * Inside the caller's transaction: settles one approval as expired if it is still pending
 * and past its expiry. The conditional UPDATE makes it happen once, whoever notices first
 * (the long poll, the queue, a late vote, the worker's sweep), and only then are the audit
 * entry, the run-timeline event (`approval.decided`, status expired) and the webhook
 * delivery written, in the same transaction. Returns null when nothing changed.
 */
export async function expireApprovalInTx(tx: Tx, input: { tenantId: string; approvalId: string; now?: Date }): Promise<{ approvalId: string; deliveryId: string | null } | null> {
  const { tenantId, approvalId } = input;
  const now = input.now ?? new Date();
  const approval = await tx.approval.findFirst({ where: { id: approvalId, tenantId }, include: { votes: { orderBy: { createdAt: "asc" } } } });
  if (!approval || approval.status !== "pending" || approval.expiresAt > now) return null;
  const claimed = await tx.approval.updateMany({
    where: { id: approvalId, tenantId, status: "pending", expiresAt: { lte: now } },
    data: { status: "expired", decidedAt: approval.expiresAt },
  });
  if (claimed.count !== 1) return null;

  const agent = await tx.agent.findFirst({ where: { id: approval.agentId, tenantId }, select: { name: true } });
  const tenant = await tx.tenant.findFirst({ where: { id: tenantId }, select: { slug: true } });
  const approvers = approval.votes.filter((v) => v.verdict === "approve");
  await recordApprovalStep(tx, tenantId, approval, {
    key: "decided",
    type: "approval.decided",
    ts: approval.expiresAt,
    payload: { status: "expired", decided_by: approval.votes.map((v) => v.userId), comment: "" },
  });
  await appendAuditEntry(tx, {
    tenantId,
    actor: EXPIRY_ACTOR,
    action: "approval.expired",
    target: { type: "approval", id: approval.id },
    before: { status: "pending", approvals: approvers.length, required: approval.requiredApprovals, requiredGroups: approval.requiredGroups },
    after: {
      status: "expired",
      expiresAt: approval.expiresAt,
      settledAt: now,
      agent: agent?.name,
      actionHash: approval.actionHash,
      action: approval.action,
      run: approval.runExternalId,
    },
  });
  const deliveryId = await queueNotification(
    tx,
    tenantId,
    approvalDecidedMessage({
      ...approvalFacts(approval, { tenantSlug: tenant?.slug ?? "", agentName: agent?.name ?? approval.agentId }),
      status: "expired",
      decidedBy: [],
    }),
  );
  return { approvalId: approval.id, deliveryId };
}

/** After the commit: wake every long poll for these approvals and hand their webhook messages to the worker. */
export async function afterExpiry(tenantId: string, expired: { approvalId: string; deliveryId: string | null }[]) {
  if (!expired.length) return;
  await Promise.all(expired.map((e) => approvalEvents.announce(e.approvalId)));
  await dispatchDeliveries(tenantId, expired.map((e) => e.deliveryId));
}

/**
 * Expires the tenant's pending approvals past their expiry (or just `approvalId`), each in
 * its own transaction. Used by every reader (queue, request page, long poll) before it
 * reads, and by the worker's every-minute sweep. Returns the ids it expired.
 */
export async function expireDueApprovals(input: { tenantId: string; approvalId?: string; now?: Date; limit?: number }): Promise<string[]> {
  const { tenantId } = input;
  const now = input.now ?? new Date();
  const due = await withTenant({ tenantId }, (tx) =>
    tx.approval.findMany({
      where: { tenantId, status: "pending", expiresAt: { lte: now }, ...(input.approvalId ? { id: input.approvalId } : {}) },
      select: { id: true },
      orderBy: { expiresAt: "asc" },
      take: input.limit ?? 500,
    }),
  );
  const expired: { approvalId: string; deliveryId: string | null }[] = [];
  for (const { id } of due) {
    const result = await withTenant({ tenantId }, (tx) => expireApprovalInTx(tx, { tenantId, approvalId: id, now }));
    if (result) expired.push(result);
  }
  await afterExpiry(tenantId, expired);
  return expired.map((e) => e.approvalId);
}

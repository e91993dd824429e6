import type { Tx } from "@/lib/db/client";
import { type Prisma } from "@/lib/db/generated/client";
import { queueNotification } from "@/lib/notifications/queue-notification";
import { approvalFacts, approvalRequestedMessage } from "./approval-notifications";

/**
 * The action as stored: redacted (lib/ingest/redact.ts), with the paths that were, so the
 * approver knows what is hidden; `actionHash` is of the original.
 */
export type ApprovalAction = { tool: string; operation: string; resource: unknown; args: Record<string, unknown>; context?: unknown; redacted?: string[] };

/** A pending approval bound to the exact action (its hash); created in the decision's request. */
export async function createApproval(
  tx: Tx,
  input: {
    id: string;
    tenantId: string;
    agentId: string;
    runExternalId: string;
    decisionId: string;
    actionHash: string;
    action: ApprovalAction;
    reason: string;
    /** The rule that asked for approval; null when a limit did (pause-and-ask). */
    ruleId: string | null;
    requiredApprovals: number;
    /** Pause-and-ask: the limits that approving extends once. */
    quotaIds?: string[];
    expiresAt: Date;
    /** The rule tier's approver groups (all must sign) and escalation, when it names them. */
    tier?: { groups?: string[]; escalateAfterMinutes?: number; escalateTo?: string };
  },
): Promise<{ id: string; notificationId: string | null }> {
  const { tier, ...fields } = input;
  const createdAt = new Date();
  const escalates = tier?.escalateAfterMinutes && tier.escalateTo;
  const approval = await tx.approval.create({
    data: {
      ...fields,
      action: input.action as Prisma.InputJsonValue,
      status: "pending",
      createdAt,
      requiredGroups: tier?.groups ?? [],
      ...(escalates ? { escalateAt: new Date(createdAt.getTime() + tier.escalateAfterMinutes! * 60_000), escalateTo: tier.escalateTo } : {}),
    },
  });
  // "Approval requested" to the tenant's webhook, committed with the request; the caller
  // dispatches it after the commit (dispatchDeliveries).
  const notificationId = await queueNotification(tx, input.tenantId, async () => {
    const [agent, tenant] = await Promise.all([
      tx.agent.findFirst({ where: { id: input.agentId, tenantId: input.tenantId }, select: { name: true } }),
      tx.tenant.findFirst({ where: { id: input.tenantId }, select: { slug: true } }),
    ]);
    return approvalRequestedMessage(approvalFacts(approval, { tenantSlug: tenant?.slug ?? "", agentName: agent?.name ?? input.agentId }));
  });
  return { id: approval.id, notificationId };
}

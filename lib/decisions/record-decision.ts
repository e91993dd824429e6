import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import type { DecisionRecord } from "./schemas";

/**
 * Writes a decision the API already answered: the decisions row and an audit entry, in
 * one transaction, once (a retried job finds the row and stops).
 */
export async function recordDecision(record: DecisionRecord): Promise<"recorded" | "duplicate"> {
  return withTenant({ tenantId: record.tenantId }, async (tx) => {
    const inserted = await tx.decision.createMany({
      data: [
        {
          id: record.id,
          tenantId: record.tenantId,
          agentId: record.agentId,
          runExternalId: record.runExternalId,
          tool: record.tool,
          operation: record.operation,
          resource: record.resource ?? Prisma.JsonNull,
          args: record.args as Prisma.InputJsonValue,
          actionHash: record.actionHash,
          outcome: record.outcome,
          reasons: record.reasons as Prisma.InputJsonValue,
          matchedRules: record.matchedRules,
          shadow: record.shadow ?? Prisma.JsonNull,
          policyVersion: record.policyVersion,
          approvalId: record.approvalId,
          createdAt: new Date(record.createdAt),
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return "duplicate";
    // The run timeline's server-attested entry commits with the decision.
    await recordServerEvents(tx, {
      tenantId: record.tenantId,
      events: [
        {
          agentId: record.agentId,
          runExternalId: record.runExternalId,
          key: record.id,
          type: "decision",
          ts: new Date(record.createdAt),
          payload: {
            decision_id: record.id,
            decision: record.outcome,
            tool: record.tool,
            operation: record.operation,
            resource: record.resource,
            reasons: record.reasons,
            rules: record.matchedRules,
            policy_version: record.policyVersion,
            ...(record.approvalId && { approval_id: record.approvalId }),
            ...(record.shadow && { shadow: record.shadow }),
            ...(record.quota.length > 0 && { quota: record.quota }),
          },
        },
      ],
    });
    await appendAuditEntry(tx, {
      tenantId: record.tenantId,
      actor: { type: "agent", id: record.agentId, label: record.agentName },
      action: `decision.${record.outcome}`,
      target: { type: "decision", id: record.id },
      after: {
        run: record.runExternalId,
        tool: record.tool,
        operation: record.operation,
        resource: record.resource,
        actionHash: record.actionHash,
        reasons: record.reasons.map((r) => r.code),
        rules: record.matchedRules,
        policyVersion: record.policyVersion,
        approvalId: record.approvalId,
      },
      requestId: record.requestId,
    });
    return "recorded";
  });
}

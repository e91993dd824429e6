import { appendAuditEntries } from "@/lib/audit/append-audit-entry";
import { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import type { DecisionRecord } from "./schemas";

/**
 * Writes decisions the API already answered, all of one tenant: the decisions rows, their
 * run timeline entries and audit entries, in one transaction, each once (a retried job
 * finds its row and writes nothing more for it). Returns how many were new.
 */
export async function recordDecisions(tenantId: string, records: DecisionRecord[]): Promise<{ recorded: number; duplicates: number }> {
  if (records.some((r) => r.tenantId !== tenantId)) throw new Error("recordDecisions: records of another tenant");
  return withTenant({ tenantId }, async (tx) => {
    const inserted = await tx.decision.createManyAndReturn({
      data: records.map((record) => ({
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
      })),
      skipDuplicates: true,
      select: { id: true },
    });
    const isNew = new Set(inserted.map((d) => d.id));
    const fresh = records.filter((r) => isNew.has(r.id));
    if (fresh.length === 0) return { recorded: 0, duplicates: records.length };
    // The run timeline's server-attested entries commit with the decisions.
    await recordServerEvents(tx, {
      tenantId,
      events: fresh.map((record) => ({
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
      })),
    });
    // In the order the API answered them.
    const ordered = [...fresh].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    await appendAuditEntries(
      tx,
      tenantId,
      ordered.map((record) => ({
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
      })),
    );
    return { recorded: fresh.length, duplicates: records.length - fresh.length };
  });
}

import { appendAuditEntriesPg } from "@/lib/audit/append-audit-entry";
import type { SqlExecutor } from "@/lib/ingest/write-event-batch";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import type { DecisionRecord } from "./schemas";

/**
 * All rows of the batch in one statement, as one JSON parameter (as lib/ingest does: cheaper
 * for the worker than per-column arrays). The primary key decides what is new: a retried
 * record finds its row and is left out of the timeline and audit writes that follow.
 */
const INSERT_DECISIONS = `
INSERT INTO decisions (id, "tenantId", "agentId", "runExternalId", tool, operation, resource, args, "actionHash", outcome,
                       reasons, "matchedRules", shadow, "policyVersion", "approvalId", "createdAt")
SELECT id, $1, "agentId", "runExternalId", tool, operation, resource, args, "actionHash", outcome::"DecisionOutcome",
       reasons, "matchedRules", shadow, "policyVersion", "approvalId", "createdAt"
  FROM jsonb_to_recordset($2::jsonb)
    AS t(id text, "agentId" text, "runExternalId" text, tool text, operation text, resource jsonb, args jsonb, "actionHash" text,
         outcome text, reasons jsonb, "matchedRules" text[], shadow jsonb, "policyVersion" int, "approvalId" text, "createdAt" timestamp(3))
 ORDER BY id
ON CONFLICT (id) DO NOTHING
RETURNING id`;

/**
 * Writes decision records of one tenant inside the caller's plain-pg tenant transaction
 * (withTenantPg): the decisions rows, their run timeline entries and their audit entries,
 * each exactly once. Audit entries go last so the chain's lock is held only for the head
 * read and one INSERT.
 */
export async function writeDecisionBatch(sql: SqlExecutor, tenantId: string, records: DecisionRecord[]): Promise<{ recorded: number; duplicates: number }> {
  const rows = await sql<{ id: string }>(INSERT_DECISIONS, [
    tenantId,
    JSON.stringify(
      records.map((r) => ({
        id: r.id,
        agentId: r.agentId,
        runExternalId: r.runExternalId,
        tool: r.tool,
        operation: r.operation,
        resource: r.resource,
        args: r.args,
        actionHash: r.actionHash,
        outcome: r.outcome,
        reasons: r.reasons,
        matchedRules: r.matchedRules,
        shadow: r.shadow,
        policyVersion: r.policyVersion,
        approvalId: r.approvalId,
        createdAt: r.createdAt,
      })),
    ),
  ]);
  const isNew = new Set(rows.map((d) => d.id));
  // One record per id: a job BullMQ handed out twice may sit twice in one batch.
  const fresh = records.filter((r) => isNew.delete(r.id));
  if (fresh.length === 0) return { recorded: 0, duplicates: records.length };
  await recordServerEvents(sql, {
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
  const ordered = fresh.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  await appendAuditEntriesPg(
    sql,
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
}

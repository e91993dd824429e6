import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { enqueue } from "@/lib/queue/registry";
import type { CreateExportBody } from "./schemas";

/**
 * Queues an evidence export for the member's tenant. The request itself is audited (who
 * asked for what); the worker audits completion, failure or cancellation. Agent ids must
 * belong to the tenant (RLS makes another tenant's agents invisible: they fail here).
 */
export async function requestExport({ member, input, requestId }: { member: MemberContext; input: CreateExportBody; requestId?: string }) {
  const tenantId = member.tenant.id;
  const scope = {
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    agentIds: [...new Set(input.agentIds)].sort(),
    runIds: [...new Set(input.runIds)].sort(),
  };
  const row = await withTenant({ tenantId, userId: member.user.id }, async (tx) => {
    if (scope.agentIds.length) {
      const found = await tx.agent.count({ where: { tenantId, id: { in: scope.agentIds } } });
      if (found !== scope.agentIds.length) {
        throw new AppError("validation_failed", "Request body failed validation.", [{ path: "agentIds", message: "Unknown agent." }]);
      }
    }
    const created = await tx.export.create({
      data: { id: newId("exp"), tenantId, requestedById: member.user.id, scope, format: input.format, status: "queued" },
    });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(member),
      action: "evidence.export_requested",
      target: { type: "export", id: created.id },
      after: { scope, format: input.format },
      requestId,
    });
    return created;
  });
  try {
    await enqueue("evidence", "evidence.export", { tenantId, exportId: row.id }, { jobId: `export-${row.id}` });
  } catch {
    // Never leave a request queued that no worker will see.
    await withTenant({ tenantId }, (tx) =>
      tx.export.update({ where: { id: row.id }, data: { status: "failed", finishedAt: new Date(), error: "The job queue was unavailable; request the export again." } }),
    );
    throw new AppError("dependency_unavailable", "The job queue is unavailable; try again in a moment.", undefined, 5);
  }
  return row;
}

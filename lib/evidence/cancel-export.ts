import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError, notFound } from "@/lib/errors";

/**
 * Cancels an export: a queued one at once; a running one is flagged and the worker stops
 * within about a second (it polls the flag while it writes), deleting its partial files.
 */
export async function cancelExport({ member, exportId, requestId }: { member: MemberContext; exportId: string; requestId?: string }) {
  const tenantId = member.tenant.id;
  return withTenant({ tenantId, userId: member.user.id }, async (tx) => {
    const row = await tx.export.findFirst({ where: { id: exportId, tenantId } });
    if (!row) throw notFound("Export");
    if (row.status !== "queued" && row.status !== "running") {
      throw new AppError("conflict", `This export has already ${row.status === "succeeded" ? "finished" : row.status}.`);
    }
    // Conditional on the status, so a worker finishing at the same instant wins cleanly.
    const updated = await tx.export.updateMany({
      where: { id: exportId, status: row.status },
      data: row.status === "queued" ? { cancelRequested: true, status: "cancelled", finishedAt: new Date() } : { cancelRequested: true },
    });
    if (updated.count === 0) throw new AppError("conflict", "This export changed meanwhile; reload and try again.");
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(member),
      action: "evidence.export_cancel_requested",
      target: { type: "export", id: exportId },
      before: { status: row.status },
      requestId,
    });
    return { id: exportId, status: row.status === "queued" ? "cancelled" : "running", cancelRequested: true };
  });
}

import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError, notFound } from "@/lib/errors";
import { makeStorable } from "@/lib/json/storable";
import { QUEUES, getQueue, parsePayload, type JobName, type QueueKey } from "./registry";

/**
 * Queues a dead-lettered job again, once (Settings → Failed jobs). Characters Postgres
 * refused (NUL, lone surrogates) are replaced with U+FFFD first, so a job that failed on
 * them is stored sanitized instead of failing again; the events keep the hash of what the
 * agent sent. The writes are idempotent (events by key, decisions by id), so parts of the
 * job stored before it failed are not stored twice. Audited; queued inside the transaction
 * that marks the row, so a failure to queue leaves it re-drivable.
 */
export async function redriveDeadLetter(input: { actor: MemberContext; id: string; requestId?: string }): Promise<{ id: string; redrivenAt: string }> {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const row = await tx.deadLetterJob.findFirst({ where: { id: input.id, tenantId } });
    if (!row) throw notFound("Failed job");
    if (row.redrivenAt) throw new AppError("conflict", "This job was already re-driven.");
    if (!row.payload || !(row.queue in QUEUES)) throw new AppError("conflict", "This job's payload was not kept; it cannot be re-driven.");
    const queue = row.queue as QueueKey;
    let data: unknown;
    try {
      data = parsePayload(queue, row.jobName as JobName<QueueKey>, makeStorable(JSON.parse(row.payload)));
    } catch {
      throw new AppError("conflict", "This job's payload is no longer valid; it cannot be re-driven.");
    }
    if ((data as { tenantId?: unknown }).tenantId !== tenantId) throw notFound("Failed job");
    const redrivenAt = new Date();
    const claimed = await tx.deadLetterJob.updateMany({ where: { id: row.id, redrivenAt: null }, data: { redrivenAt, redrivenBy: input.actor.user.id } });
    if (claimed.count === 0) throw new AppError("conflict", "This job was already re-driven.");
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "queue.job_redriven",
      target: { type: "dead_letter_job", id: row.id },
      after: { queue: row.queue, job: row.jobName, error: row.error },
      requestId: input.requestId,
    });
    await getQueue(queue).add(row.jobName, data, { jobId: `redrive-${row.id}` });
    return { id: row.id, redrivenAt: redrivenAt.toISOString() };
  });
}

import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Tx } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { quotaCache } from "./load-quotas";
import { defaultQuotaName, quotaInput, type QuotaInput } from "./schemas";

/**
 * Creates a limit, or replaces one (`quotaId`). Audited with before and after; every
 * process's decision path sees the change within milliseconds (quotaCache invalidation).
 * Counters live on under the limit's id, so raising a limit keeps today's use.
 */
export async function saveQuota(input: { actor: MemberContext; quotaId?: string; request: QuotaInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const parsed = quotaInput.parse(input.request);
  const data = {
    name: parsed.name || defaultQuotaName(parsed),
    scope: parsed.scope,
    scopeRef: parsed.scopeRef || null,
    metric: parsed.metric,
    tool: parsed.tool ?? null,
    operation: parsed.operation ?? null,
    window: parsed.window,
    limit: parsed.limit,
    onExceed: parsed.onExceed,
    alertPercent: parsed.alertPercent,
  };
  const saved = await withTenant({ tenantId }, async (tx) => {
    await checkReferences(tx, tenantId, data);
    const before = input.quotaId ? await tx.quota.findFirst({ where: { id: input.quotaId, tenantId } }) : null;
    if (input.quotaId && !before) throw new AppError("not_found", "No limit with that id.");
    try {
      const quota = before
        ? await tx.quota.update({ where: { id: before.id }, data })
        : await tx.quota.create({ data: { ...data, tenantId, createdById: input.actor.user.id } });
      await appendAuditEntry(tx, {
        tenantId,
        actor: memberActor(input.actor),
        action: before ? "quota.updated" : "quota.created",
        target: { type: "quota", id: quota.id },
        before: before && auditView(before),
        after: auditView(quota),
        requestId: input.requestId,
      });
      return quota;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new AppError("conflict", `A limit named ${data.name} already exists.`);
      throw error;
    }
  });
  await quotaCache.invalidate(tenantId);
  return saved;
}

export async function deleteQuota(input: { actor: MemberContext; quotaId: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  await withTenant({ tenantId }, async (tx) => {
    const quota = await tx.quota.findFirst({ where: { id: input.quotaId, tenantId } });
    if (!quota) throw new AppError("not_found", "No limit with that id.");
    await tx.quota.delete({ where: { id: quota.id } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "quota.deleted",
      target: { type: "quota", id: quota.id },
      before: auditView(quota),
      requestId: input.requestId,
    });
  });
  await quotaCache.invalidate(tenantId);
}

async function checkReferences(tx: Tx, tenantId: string, q: { scope: string; scopeRef: string | null; tool: string | null; operation: string | null }) {
  if (q.scope === "agent" && q.scopeRef && !(await tx.agent.findFirst({ where: { tenantId, id: q.scopeRef } }))) {
    throw new AppError("validation_failed", "No agent with that id.", [{ path: "scopeRef", message: "No agent with that id." }]);
  }
  if (q.tool) {
    const tool = await tx.tool.findFirst({ where: { tenantId, name: q.tool }, include: { operations: { select: { name: true } } } });
    if (!tool) throw new AppError("validation_failed", `No registered tool named ${q.tool}.`, [{ path: "tool", message: "Not a registered tool." }]);
    if (q.operation !== "*" && !tool.operations.some((o) => o.name === q.operation)) {
      throw new AppError("validation_failed", `${q.tool} has no operation ${q.operation}.`, [{ path: "operation", message: "Not an operation of this tool." }]);
    }
  }
}

const auditView = (q: { name: string; scope: string; scopeRef: string | null; metric: string; tool: string | null; operation: string | null; window: string; limit: number; onExceed: string; alertPercent: number }) => ({
  name: q.name,
  scope: q.scope,
  scopeRef: q.scopeRef,
  metric: q.metric,
  tool: q.tool,
  operation: q.operation,
  window: q.window,
  limit: q.limit,
  onExceed: q.onExceed,
  alertPercent: q.alertPercent,
});

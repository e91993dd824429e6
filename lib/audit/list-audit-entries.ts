import { z } from "zod";
import type { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { instantParam, MAX_BIGINT } from "@/lib/runs/cursor";

export const auditQuery = z.object({
  action: z.string().trim().max(100).optional(), // prefix, e.g. "member." or "member.role_changed"
  actor: z.string().trim().max(254).optional(), // substring of the actor label
  targetType: z.string().trim().max(50).optional(),
  from: instantParam.optional(),
  to: instantParam.optional(),
  before: z.coerce.bigint().positive().max(MAX_BIGINT).optional(), // keyset cursor: entries with seq < before
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type AuditQuery = z.infer<typeof auditQuery>;

/** Newest first, keyset-paginated on the chain sequence. */
export async function listAuditEntries({ tenantId, query }: { tenantId: string; query: AuditQuery }) {
  const where: Prisma.AuditEntryWhereInput = {
    tenantId,
    ...(query.action && { action: { startsWith: query.action } }),
    ...(query.actor && { actorLabel: { contains: query.actor, mode: "insensitive" } }),
    ...(query.targetType && { targetType: query.targetType }),
    ...((query.from || query.to) && {
      createdAt: { ...(query.from && { gte: new Date(query.from) }), ...(query.to && { lte: new Date(query.to) }) },
    }),
    ...(query.before && { seq: { lt: query.before } }),
  };
  const rows = await withTenant({ tenantId }, (tx) =>
    tx.auditEntry.findMany({ where, orderBy: { seq: "desc" }, take: query.limit + 1 }),
  );
  const page = rows.slice(0, query.limit);
  return {
    entries: page.map((e) => ({
      id: e.id,
      seq: e.seq.toString(),
      actorType: e.actorType,
      actorLabel: e.actorLabel,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      before: e.before,
      after: e.after,
      requestId: e.requestId,
      createdAt: e.createdAt.toISOString(),
      hash: e.hash,
      prevHash: e.prevHash,
    })),
    next: rows.length > query.limit ? page.at(-1)!.seq.toString() : null,
  };
}

/** Distinct actions seen in this tenant, for the filter menu. */
export async function listAuditActions({ tenantId }: { tenantId: string }): Promise<string[]> {
  const rows = await withTenant({ tenantId }, (tx) =>
    tx.auditEntry.findMany({ where: { tenantId }, distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
  );
  return rows.map((r) => r.action);
}

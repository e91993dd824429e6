import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { exportScope, type ExportView } from "./schemas";

/** The tenant's exports, newest first, with who requested each and for which agents. */
export async function listExports({ tenantId, take = 50 }: { tenantId: string; take?: number }): Promise<ExportView[]> {
  const rows = await withTenant({ tenantId }, (tx) => tx.export.findMany({ where: { tenantId }, orderBy: { createdAt: "desc" }, take }));
  const scopes = rows.map((r) => exportScope.safeParse(r.scope));
  const agentIds = [...new Set(scopes.flatMap((s) => (s.success ? s.data.agentIds : [])))];
  const [agents, users] = await Promise.all([
    agentIds.length ? withTenant({ tenantId }, (tx) => tx.agent.findMany({ where: { tenantId, id: { in: agentIds } }, select: { id: true, name: true } })) : [],
    db().user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.requestedById))] } }, select: { id: true, email: true, name: true } }),
  ]);
  const agentName = new Map(agents.map((a) => [a.id, a.name]));
  const user = new Map(users.map((u) => [u.id, u]));
  return rows.map((r, i) => {
    const scope = scopes[i]!.success ? scopes[i]!.data! : { from: "", to: "", agentIds: [], runIds: [] };
    return {
      id: r.id,
      status: r.status,
      format: r.format,
      scope,
      agents: scope.agentIds.map((id) => ({ id, name: agentName.get(id) ?? id })),
      requestedBy: user.get(r.requestedById) ?? { id: r.requestedById, email: "(deleted user)", name: "" },
      progress: r.progress,
      rowCount: r.rowCount,
      counts: (r.counts as Record<string, number> | null) ?? null,
      sha256: r.sha256,
      bytes: r.bytes === null ? null : Number(r.bytes),
      keyId: r.keyId,
      error: r.error,
      cancelRequested: r.cancelRequested,
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
    };
  });
}

/**
 * The Usage page: every limit with its current use per counter (read from the same Redis
 * counters the decision API reserves against), quota hits, and spend over time.
 */
import { withTenant } from "@/lib/db/tenant";
import { counterFor } from "./counters";
import { loadTenantQuotas } from "./load-quotas";
import { quotaMeter, type QuotaMeter } from "./meter";
import type { QuotaLimit, QuotaUsage } from "./schemas";

export async function getQuotaUsage(input: { tenantId: string; now?: Date; meter?: QuotaMeter }): Promise<QuotaUsage> {
  const { tenantId } = input;
  const now = input.now ?? new Date();
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const limits = await loadTenantQuotas(tenantId);
  // The page's reads, in one transaction.
  const [agents, hitsByQuota, recentHits, spend] = await withTenant({ tenantId }, (tx) =>
    Promise.all([
      tx.agent.findMany({ where: { tenantId, status: { not: "decommissioned" } }, select: { id: true, name: true, labels: true }, orderBy: { name: "asc" } }),
      tx.$queryRaw<{ quota: string; hits: number }[]>`
        SELECT r->'details'->>'quota' AS quota, count(*)::int AS hits
          FROM decisions d, jsonb_array_elements(d.reasons) r
         WHERE d."tenantId" = ${tenantId} AND d."createdAt" >= ${new Date(now.getTime() - 7 * 86_400_000)} AND r->>'code' = 'quota_exceeded'
         GROUP BY 1`,
      tx.$queryRaw<{ id: string; createdAt: Date; agentId: string; runExternalId: string; tool: string; operation: string; outcome: string; reasons: unknown }[]>`
        SELECT id, "createdAt", "agentId", "runExternalId", tool, operation, outcome::text AS outcome, reasons
          FROM decisions
         WHERE "tenantId" = ${tenantId} AND "createdAt" >= ${since} AND reasons @> '[{"code":"quota_exceeded"}]'::jsonb
         ORDER BY "createdAt" DESC LIMIT 25`,
      tx.$queryRaw<{ day: Date; costUsd: number; quotaHits: number }[]>`
        SELECT date_trunc('day', hour) AS day, sum("costUsd")::float8 AS "costUsd", sum("quotaHits")::int AS "quotaHits"
          FROM run_stats_hourly
         WHERE "tenantId" = ${tenantId} AND hour >= ${since}
         GROUP BY 1 ORDER BY 1`,
    ]),
  );

  const agentName = new Map(agents.map((a) => [a.id, a.name]));
  // One counter per limit, except "each agent" limits: one per agent.
  const counters = limits.flatMap((q) => {
    if (q.window === "run") return [];
    const subjects = q.scope === "agent" && q.scopeRef === null ? agents.map((a) => ({ agentId: a.id, label: a.name })) : [{ agentId: "", label: subjectLabel(q, agentName) }];
    return subjects.map((s) => ({ quotaId: q.id, label: s.label, ...counterFor(q, { tenantId, agentId: s.agentId, labels: [], runId: "" }, now) }));
  });
  let used: number[] | null;
  try {
    used = await (input.meter ?? quotaMeter()).read(counters.map((c) => c.key));
  } catch {
    used = null; // the page still shows limits and history; the counters say "unavailable"
  }

  const usage: QuotaUsage["limits"] = limits.map((q) => ({
    ...q,
    rows: counters.flatMap((c, i) => (c.quotaId === q.id ? [{ subject: c.label, used: used?.[i] ?? 0, resetsAt: c.resetsAt?.toISOString() ?? null }] : [])),
  }));
  const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 29 + i)));
  const byDay = new Map(spend.map((s) => [s.day.getTime(), s]));
  return {
    countersAvailable: used !== null,
    limits: usage,
    agents: agents.map((a) => ({ id: a.id, name: a.name, labels: a.labels })),
    hits7d: Object.fromEntries(hitsByQuota.map((h) => [h.quota, h.hits])) as Record<string, number>,
    recentHits: recentHits.map((h) => ({
      decisionId: h.id,
      at: h.createdAt.toISOString(),
      agent: agentName.get(h.agentId) ?? h.agentId,
      run: h.runExternalId,
      action: `${h.tool} ${h.operation}`,
      outcome: h.outcome,
      quotas: (Array.isArray(h.reasons) ? (h.reasons as { code?: string; details?: { quota?: string } }[]) : []).filter((r) => r.code === "quota_exceeded").map((r) => r.details?.quota ?? "?"),
    })),
    spendByDay: days.map((d) => ({ day: d.toISOString().slice(0, 10), costUsd: byDay.get(d.getTime())?.costUsd ?? 0, quotaHits: byDay.get(d.getTime())?.quotaHits ?? 0 })),
  };
}

function subjectLabel(q: QuotaLimit, agentName: Map<string, string>): string {
  if (q.scope === "tenant") return "All agents";
  if (q.scope === "group") return `Group ${q.scopeRef}`;
  return agentName.get(q.scopeRef ?? "") ?? q.scopeRef ?? "";
}

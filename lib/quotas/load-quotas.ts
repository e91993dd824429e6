import { TenantCache } from "@/lib/agents/tenant-cache";
import { withTenant } from "@/lib/db/tenant";
import type { QuotaLimit } from "./schemas";

export async function loadTenantQuotas(tenantId: string): Promise<QuotaLimit[]> {
  const rows = await withTenant({ tenantId }, (tx) => tx.quota.findMany({ where: { tenantId }, orderBy: { name: "asc" } }));
  return rows.map((q) => ({
    id: q.id,
    name: q.name,
    scope: q.scope as QuotaLimit["scope"],
    scopeRef: q.scopeRef,
    metric: q.metric as QuotaLimit["metric"],
    tool: q.tool,
    operation: q.operation,
    window: q.window as QuotaLimit["window"],
    limit: q.limit,
    onExceed: q.onExceed as QuotaLimit["onExceed"],
    alertPercent: q.alertPercent,
  }));
}

const globalCache = globalThis as unknown as { gatehouseQuotaCache?: TenantCache<QuotaLimit[]> };
/** A tenant's limits in memory for the decision path; create/update/delete invalidate it everywhere. */
export const quotaCache = (globalCache.gatehouseQuotaCache ??= new TenantCache({ kinds: ["quotas"], ttlMs: 60_000, load: loadTenantQuotas }));

/**
 * The quota step of the decision pipeline (identity → kill switches → schema → policy →
 * quotas). Issue 5 fills it: an atomic Lua reservation against every applicable limit.
 * Until then no limits exist, so nothing is reserved and no quota state is reported.
 */
export type QuotaState = { name: string; limit: number; remaining: number; resets_at: string };

export async function reserveQuotas(_input: { tenantId: string; agentId: string; tool: string; operation: string }): Promise<{ ok: true; quota: QuotaState[] }> {
  return { ok: true, quota: [] };
}

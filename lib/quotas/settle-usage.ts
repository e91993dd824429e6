/**
 * Settles what agents report spending (`model.call` tokens and cost, from the ingest API)
 * against the same counters the decision API checks, so token and spend limits see real
 * use. Runs in the ingest worker after the events committed; each event settles once
 * however often it is redelivered (a marker per event in the same Lua call). Windows are
 * counted by the server's receipt time, not the agent's timestamp, so backdating cannot
 * move spend out of the current window.
 */
import { authState } from "@/lib/agents/auth-state";
import type { EventBatchJob } from "@/lib/ingest/timeline-event";
import { alertOnCrossing } from "./alert-on-crossing";
import { counterFor, counterTag, limitCoversAgent } from "./counters";
import { quotaCache } from "./load-quotas";
import { quotaMeter, type QuotaMeter } from "./meter";

export async function settleReportedUsage(job: EventBatchJob, meter: QuotaMeter = quotaMeter()): Promise<{ settled: number }> {
  const calls = job.events.filter((e) => e.type === "model.call" && ((e.inputTokens ?? 0) + (e.outputTokens ?? 0) > 0 || (e.costUsd ?? 0) > 0));
  if (calls.length === 0) return { settled: 0 };
  const budgets = (await quotaCache.get(job.tenantId)).filter((q) => q.metric === "tokens" || q.metric === "spend_usd");
  if (budgets.length === 0) return { settled: 0 };
  const labels = (await authState.get(job.tenantId, job.agentId))?.labels ?? [];
  const limits = budgets.filter((q) => limitCoversAgent(q, { agentId: job.agentId, labels }));
  if (limits.length === 0) return { settled: 0 };

  const receivedAt = new Date(job.receivedAt);
  let settled = 0;
  for (const event of calls) {
    const subject = { tenantId: job.tenantId, agentId: job.agentId, labels, runId: event.run };
    const counters = limits
      .map((q) => ({ quota: q, ...counterFor(q, subject, receivedAt), amount: q.metric === "tokens" ? (event.inputTokens ?? 0) + (event.outputTokens ?? 0) : (event.costUsd ?? 0) }))
      .filter((c) => c.amount > 0);
    const totals = await meter.settle(`${counterTag(job.tenantId)}:settled:${job.agentId}:${event.key}`, counters);
    if (!totals) continue;
    settled++;
    for (const [i, c] of counters.entries()) {
      const after = totals[i] ?? 0;
      await alertOnCrossing({ meter, tenantId: job.tenantId, limit: c.quota, key: c.key, before: after - c.amount, after, expireAtMs: c.expireAtMs });
    }
  }
  return { settled };
}

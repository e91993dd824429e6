/**
 * Settles spending against the same counters the decision API checks, so token and spend
 * limits see real use: what agents report (`model.call` tokens and cost, from the ingest
 * API; the ingest worker, after the events committed) and what the gateway saw a tool call
 * cost (lib/gateway/spend.ts; the decisions worker, after the result is recorded). Each use
 * settles once however often it is redelivered (a marker per use in the same Lua call).
 * Windows are counted by the server's receipt time, not the agent's timestamp, so
 * backdating cannot move spend out of the current window.
 */
import { authState } from "@/lib/agents/auth-state";
import type { EventBatchJob } from "@/lib/ingest/timeline-event";
import { alertOnCrossing } from "./alert-on-crossing";
import { counterFor, counterTag, limitCoversAgent } from "./counters";
import { quotaCache } from "./load-quotas";
import { quotaMeter, type QuotaMeter } from "./meter";

export type BudgetUse = {
  tenantId: string;
  agentId: string;
  runId: string;
  /** Unique per use (an event's key, a gateway decision id): settled once. */
  marker: string;
  at: Date;
  amounts: { tokens?: number; spend_usd?: number };
};

/** Adds one use to every token or spend limit that covers its agent; false when nothing applied or it was settled before. */
export async function settleBudgetUse(use: BudgetUse, meter: QuotaMeter = quotaMeter()): Promise<boolean> {
  const budgets = (await quotaCache.get(use.tenantId)).filter((q) => (q.metric === "tokens" || q.metric === "spend_usd") && (use.amounts[q.metric] ?? 0) > 0);
  if (budgets.length === 0) return false;
  const labels = (await authState.get(use.tenantId, use.agentId))?.labels ?? [];
  const limits = budgets.filter((q) => limitCoversAgent(q, { agentId: use.agentId, labels }));
  if (limits.length === 0) return false;
  const subject = { tenantId: use.tenantId, agentId: use.agentId, labels, runId: use.runId };
  const counters = limits.map((q) => ({ quota: q, ...counterFor(q, subject, use.at), amount: use.amounts[q.metric as "tokens" | "spend_usd"]! }));
  const totals = await meter.settle(`${counterTag(use.tenantId)}:settled:${use.marker}`, counters);
  if (!totals) return false;
  for (const [i, c] of counters.entries()) {
    const after = totals[i] ?? 0;
    await alertOnCrossing({ meter, tenantId: use.tenantId, limit: c.quota, key: c.key, before: after - c.amount, after, expireAtMs: c.expireAtMs });
  }
  return true;
}

export async function settleReportedUsage(job: EventBatchJob, meter: QuotaMeter = quotaMeter()): Promise<{ settled: number }> {
  const calls = job.events.filter((e) => e.type === "model.call" && ((e.inputTokens ?? 0) + (e.outputTokens ?? 0) > 0 || (e.costUsd ?? 0) > 0));
  let settled = 0;
  for (const event of calls) {
    const use = {
      tenantId: job.tenantId,
      agentId: job.agentId,
      runId: event.run,
      marker: `${job.agentId}:${event.key}`,
      at: new Date(job.receivedAt),
      amounts: { tokens: (event.inputTokens ?? 0) + (event.outputTokens ?? 0), spend_usd: event.costUsd ?? 0 },
    };
    if (await settleBudgetUse(use, meter)) settled++;
  }
  return { settled };
}

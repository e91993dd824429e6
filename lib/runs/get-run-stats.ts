import { z } from "zod";
import { withTenant } from "@/lib/db/tenant";
import { LATENCY_BOUNDS_MS } from "./run-stats";

export const runStatsQuery = z.object({
  agent: z.string().max(64).optional(),
  days: z.coerce.number().int().refine((d) => [1, 7, 30].includes(d), "1, 7 or 30").default(7),
});

/**
 * The bucket's upper bound (ms) at which `p` of the histogram's calls are at or below; null
 * when empty; OVER_RANGE_MS when it falls in the overflow bucket (> 10 s).
 */
export const OVER_RANGE_MS = 10_001;
export function histogramPercentile(counts: number[], p: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= p * total) return i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : OVER_RANGE_MS;
  }
  return OVER_RANGE_MS;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/**
 * Overview charts: per hour (1 day) or per day (7, 30 days), for the tenant or one agent,
 * from run_stats_hourly (a few hundred rows; nothing aggregates events here).
 */
export async function getRunStats({ tenantId, agent, days }: { tenantId: string; agent?: string; days: number }) {
  const unit = days === 1 ? "hour" : "day";
  const step = unit === "hour" ? 3_600_000 : 86_400_000;
  const now = Date.now();
  const end = Math.floor(now / step) * step + step;
  const start = end - (unit === "hour" ? 24 : days) * step;
  const rows = await withTenant({ tenantId }, (tx) =>
    tx.runStatsHourly.findMany({ where: { tenantId, ...(agent && { agentId: agent }), hour: { gte: new Date(start), lt: new Date(end) } } }),
  );
  const buckets = new Map<number, { runsSucceeded: number; runsFinished: number; toolCalls: number; toolErrors: number; retries: number; latency: number[]; escalations: number; quotaHits: number; denials: number; decisions: number; cost: number; succeededRunCost: number; runsStarted: number }>();
  for (let t = start; t < end; t += step) {
    buckets.set(t, { runsSucceeded: 0, runsFinished: 0, toolCalls: 0, toolErrors: 0, retries: 0, latency: Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0), escalations: 0, quotaHits: 0, denials: 0, decisions: 0, cost: 0, succeededRunCost: 0, runsStarted: 0 });
  }
  for (const r of rows) {
    const b = buckets.get(Math.floor(r.hour.getTime() / step) * step);
    if (!b) continue;
    b.runsStarted += r.runsStarted;
    b.runsSucceeded += r.runsSucceeded;
    b.runsFinished += r.runsSucceeded + r.runsFailed + r.runsEscalated + r.runsTerminated;
    b.toolCalls += r.toolCalls;
    b.toolErrors += r.toolErrors;
    b.retries += r.retries;
    r.toolLatency.forEach((c, i) => (b.latency[i] = (b.latency[i] ?? 0) + c));
    b.escalations += r.escalations;
    b.quotaHits += r.quotaHits;
    b.denials += r.denials;
    b.decisions += r.decisions;
    b.cost += Number(r.costUsd);
    b.succeededRunCost += Number(r.succeededRunCost);
  }
  const points = [...buckets].map(([t, b]) => ({
    at: new Date(t).toISOString(),
    runsStarted: b.runsStarted,
    runsFinished: b.runsFinished,
    completionRate: ratio(b.runsSucceeded, b.runsFinished),
    toolCalls: b.toolCalls,
    toolFailureRate: ratio(b.toolErrors, b.toolCalls),
    retries: b.retries,
    toolLatencyP50: histogramPercentile(b.latency, 0.5),
    toolLatencyP95: histogramPercentile(b.latency, 0.95),
    escalations: b.escalations,
    quotaHits: b.quotaHits,
    denials: b.denials,
    decisions: b.decisions,
    costUsd: Math.round(b.cost * 1e6) / 1e6,
    costPerSuccessfulRun: b.runsSucceeded ? Math.round((b.succeededRunCost / b.runsSucceeded) * 1e6) / 1e6 : null,
  }));
  return { unit, days, agent: agent ?? null, points };
}

/**
 * Hourly run statistics per tenant and agent (run_stats_hourly), maintained by the ingest
 * writer from the events it actually inserted; read by the Overview charts.
 * Conventions: a `tool.call` or `model.call` with `attempt` > 1 counts as a retry; a
 * decision with `pending_approval` is an escalation to a human; a denied decision whose
 * reasons mention a quota is a quota hit; "cost per successful run" uses the run's total
 * cost when its `run.finished` (succeeded) was stored.
 */
import type { TimelineEvent } from "@/lib/ingest/timeline-event";

export const LATENCY_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const; // + one overflow bucket

export type StatsDelta = {
  agentId: string;
  hour: string; // ISO, truncated to the hour (UTC)
  runsStarted: number;
  runsSucceeded: number;
  runsFailed: number;
  runsEscalated: number;
  runsTerminated: number;
  toolCalls: number;
  toolErrors: number;
  retries: number;
  toolLatency: number[];
  decisions: number;
  denials: number;
  escalations: number;
  quotaHits: number;
  costMicros: number;
  succeededRunCostMicros: number;
};

export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BOUNDS_MS.length : i;
}

const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;

/** `finishedCost`: for runs whose run.finished is among `events`, the run's total cost (USD) after this write. */
export function statsDeltas(events: (TimelineEvent & { agentId: string })[], finishedCost: Map<string, number> = new Map()): StatsDelta[] {
  const out = new Map<string, StatsDelta>();
  for (const e of events) {
    const hour = hourOf(e.ts);
    const key = `${e.agentId}|${hour}`;
    let d = out.get(key);
    if (!d) {
      d = {
        agentId: e.agentId, hour, runsStarted: 0, runsSucceeded: 0, runsFailed: 0, runsEscalated: 0, runsTerminated: 0, toolCalls: 0, toolErrors: 0,
        retries: 0, toolLatency: Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0), decisions: 0, denials: 0, escalations: 0, quotaHits: 0,
        costMicros: 0, succeededRunCostMicros: 0,
      };
      out.set(key, d);
    }
    const p = e.payload;
    d.costMicros += Math.round((e.costUsd ?? 0) * 1e6);
    if ((e.type === "tool.call" || e.type === "model.call") && typeof p.attempt === "number" && p.attempt > 1) d.retries++;
    switch (e.type) {
      case "run.started":
        d.runsStarted++;
        break;
      case "run.finished":
        if (p.outcome === "succeeded") {
          d.runsSucceeded++;
          d.succeededRunCostMicros += Math.round((finishedCost.get(e.run) ?? 0) * 1e6);
        } else if (p.outcome === "failed") d.runsFailed++;
        else if (p.outcome === "escalated") d.runsEscalated++;
        else if (p.outcome === "terminated") d.runsTerminated++;
        break;
      case "tool.call":
        d.toolCalls++;
        if (p.status === "error") d.toolErrors++;
        if (typeof p.latency_ms === "number") d.toolLatency[latencyBucket(p.latency_ms)]!++;
        break;
      case "decision": {
        d.decisions++;
        if (p.decision === "deny") d.denials++;
        if (p.decision === "pending_approval") d.escalations++;
        const reasons = Array.isArray(p.reasons) ? (p.reasons as { code?: unknown }[]) : [];
        // Denied at a limit, or paused at one to ask a human (pause-and-ask).
        if (p.decision !== "allow" && reasons.some((r) => typeof r?.code === "string" && r.code.includes("quota"))) d.quotaHits++;
        break;
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.agentId === b.agentId ? (a.hour < b.hour ? -1 : 1) : a.agentId < b.agentId ? -1 : 1));
}

/** Adds deltas to run_stats_hourly (histograms added bucket by bucket). */
export const UPSERT_STATS = `
INSERT INTO run_stats_hourly ("tenantId", "agentId", hour, "runsStarted", "runsSucceeded", "runsFailed", "runsEscalated", "runsTerminated",
                              "toolCalls", "toolErrors", retries, "toolLatency", decisions, denials, escalations, "quotaHits", "costUsd", "succeededRunCost")
SELECT $1, u.agent, u.hour, u.started, u.succeeded, u.failed, u.escalated, u.terminated, u.tool_calls, u.tool_errors, u.retries,
       u.latency::int[], u.decisions, u.denials, u.escalations, u.quota_hits, u.cost::numeric / 1000000, u.succeeded_cost::numeric / 1000000
  FROM unnest($2::text[], $3::timestamp(3)[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int[],
              $12::text[], $13::int[], $14::int[], $15::int[], $16::int[], $17::bigint[], $18::bigint[])
    AS u(agent, hour, started, succeeded, failed, escalated, terminated, tool_calls, tool_errors, retries, latency, decisions, denials,
         escalations, quota_hits, cost, succeeded_cost)
ON CONFLICT ("tenantId", "agentId", hour) DO UPDATE SET
  "runsStarted" = run_stats_hourly."runsStarted" + EXCLUDED."runsStarted",
  "runsSucceeded" = run_stats_hourly."runsSucceeded" + EXCLUDED."runsSucceeded",
  "runsFailed" = run_stats_hourly."runsFailed" + EXCLUDED."runsFailed",
  "runsEscalated" = run_stats_hourly."runsEscalated" + EXCLUDED."runsEscalated",
  "runsTerminated" = run_stats_hourly."runsTerminated" + EXCLUDED."runsTerminated",
  "toolCalls" = run_stats_hourly."toolCalls" + EXCLUDED."toolCalls",
  "toolErrors" = run_stats_hourly."toolErrors" + EXCLUDED."toolErrors",
  retries = run_stats_hourly.retries + EXCLUDED.retries,
  "toolLatency" = (SELECT array_agg(a + b ORDER BY i) FROM unnest(run_stats_hourly."toolLatency", EXCLUDED."toolLatency") WITH ORDINALITY AS t(a, b, i)),
  decisions = run_stats_hourly.decisions + EXCLUDED.decisions,
  denials = run_stats_hourly.denials + EXCLUDED.denials,
  escalations = run_stats_hourly.escalations + EXCLUDED.escalations,
  "quotaHits" = run_stats_hourly."quotaHits" + EXCLUDED."quotaHits",
  "costUsd" = run_stats_hourly."costUsd" + EXCLUDED."costUsd",
  "succeededRunCost" = run_stats_hourly."succeededRunCost" + EXCLUDED."succeededRunCost"`;

export function statsParams(tenantId: string, deltas: StatsDelta[]): unknown[] {
  return [
    tenantId,
    deltas.map((d) => d.agentId),
    deltas.map((d) => d.hour),
    deltas.map((d) => d.runsStarted),
    deltas.map((d) => d.runsSucceeded),
    deltas.map((d) => d.runsFailed),
    deltas.map((d) => d.runsEscalated),
    deltas.map((d) => d.runsTerminated),
    deltas.map((d) => d.toolCalls),
    deltas.map((d) => d.toolErrors),
    deltas.map((d) => d.retries),
    deltas.map((d) => `{${d.toolLatency.join(",")}}`),
    deltas.map((d) => d.decisions),
    deltas.map((d) => d.denials),
    deltas.map((d) => d.escalations),
    deltas.map((d) => d.quotaHits),
    deltas.map((d) => d.costMicros),
    deltas.map((d) => d.succeededRunCostMicros),
  ];
}

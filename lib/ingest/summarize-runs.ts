import type { TimelineEvent } from "./timeline-event";

/** What a set of newly stored events adds to each run's summary (runs row). */
export type RunDelta = {
  run: string;
  agentId: string;
  events: number;
  toolCalls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number; // integer micro-dollars: sums stay exact
  decisions: number;
  denials: number;
  approvals: number;
  sideEffects: number;
  firstTs: string;
  lastTs: string;
  finishedAt: string | null;
  outcome: string | null;
  policyVersion: number | null;
  meta: Record<string, unknown> | null;
};

const micros = (usd: number | undefined) => (usd === undefined ? 0 : Math.round(usd * 1e6));

/**
 * Per-run deltas for events that were actually inserted (duplicates never count twice).
 * Server events: `decision` (payload.decision allow|deny|pending_approval; a pending one
 * counts as an approval request), `policy_version` sets the run's policy version.
 */
export function summarizeRuns(events: (TimelineEvent & { agentId: string })[]): RunDelta[] {
  const byRun = new Map<string, RunDelta>();
  for (const e of events) {
    let d = byRun.get(e.run);
    if (!d) {
      d = {
        run: e.run, agentId: e.agentId, events: 0, toolCalls: 0, errors: 0, inputTokens: 0, outputTokens: 0, costMicros: 0,
        decisions: 0, denials: 0, approvals: 0, sideEffects: 0, firstTs: e.ts, lastTs: e.ts, finishedAt: null, outcome: null,
        policyVersion: null, meta: null,
      };
      byRun.set(e.run, d);
    }
    d.events++;
    if (e.ts < d.firstTs) d.firstTs = e.ts;
    if (e.ts > d.lastTs) d.lastTs = e.ts;
    if (e.isError) d.errors++;
    d.inputTokens += e.inputTokens ?? 0;
    d.outputTokens += e.outputTokens ?? 0;
    d.costMicros += micros(e.costUsd);
    const p = e.payload;
    switch (e.type) {
      case "tool.call":
        d.toolCalls++;
        break;
      case "side_effect":
        d.sideEffects++;
        break;
      // A call Gatehouse made itself (the gateway): a tool call, and what it created.
      case "gateway.result":
        d.toolCalls++;
        if (Array.isArray(p.side_effects)) d.sideEffects += p.side_effects.length;
        break;
      case "run.started":
        d.meta = { ...(p.input !== undefined && { input: p.input }), ...(p.model !== undefined && { model: p.model }) };
        break;
      case "run.finished":
        if (!d.finishedAt || e.ts > d.finishedAt) {
          d.finishedAt = e.ts;
          d.outcome = typeof p.outcome === "string" ? p.outcome : null;
        }
        break;
      case "decision":
        d.decisions++;
        if (p.decision === "deny") d.denials++;
        if (p.decision === "pending_approval") d.approvals++;
        if (typeof p.policy_version === "number") d.policyVersion = p.policy_version;
        break;
    }
  }
  return [...byRun.values()].sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

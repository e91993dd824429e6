import type { DecisionRecord } from "@/lib/decisions/schemas";
import { withTenant } from "@/lib/db/tenant";
import { notFound } from "@/lib/errors";
import { findRun } from "./get-run";

/**
 * Replay: the run's state right after its `position`-th event (0-based, timeline order):
 * cumulative cost, tokens, tool calls, errors, decisions, open approvals and the latest
 * quota snapshot a decision reported. One index-ordered scan of the first position+1
 * events using the numeric columns the writer extracted (no JSON parsing but for
 * decisions), so scrubbing a 100,000-event run stays interactive.
 */
export async function getReplayState(input: { tenantId: string; runId: string; position: number }) {
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const run = await findRun(tx, input.tenantId, { id: input.runId });
    if (!run) throw notFound("Run");
    const params: unknown[] = [input.tenantId, run.externalId, input.position + 1];
    let bounds = "";
    if (run.firstReceivedAt && run.lastReceivedAt) {
      params.push(run.firstReceivedAt.toISOString(), run.lastReceivedAt.toISOString());
      bounds = ` AND "receivedAt" >= $4::timestamp(3) AND "receivedAt" <= $5::timestamp(3)`;
    }
    const [row] = await tx.$queryRawUnsafe<
      {
        events: bigint; tool_calls: bigint; errors: bigint; input_tokens: bigint | null; output_tokens: bigint | null; cost_usd: number | null;
        decisions: bigint; denials: bigint; approvals_requested: bigint; approvals_decided: bigint; side_effects: bigint;
        // the `quota` of the last decision's payload (lib/runs/record-server-events.ts), read back defensively
        last_ts: Date | null; quota: Partial<DecisionRecord["quota"][number]>[] | null;
      }[]
    >(
      `WITH upto AS (
         SELECT id, ts, type, "isError", "inputTokens", "outputTokens", "costUsd",
                CASE WHEN type IN ('decision', 'approval.decided') THEN payload END AS payload
           FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2${bounds}
          ORDER BY ts, id LIMIT $3)
       SELECT count(*) AS events,
              count(*) FILTER (WHERE type = 'tool.call') AS tool_calls,
              count(*) FILTER (WHERE "isError") AS errors,
              sum("inputTokens") AS input_tokens, sum("outputTokens") AS output_tokens, sum("costUsd") AS cost_usd,
              count(*) FILTER (WHERE type = 'decision') AS decisions,
              count(*) FILTER (WHERE type = 'decision' AND payload->>'decision' = 'deny') AS denials,
              count(*) FILTER (WHERE type = 'decision' AND payload->>'decision' = 'pending_approval') AS approvals_requested,
              count(*) FILTER (WHERE type = 'approval.decided') AS approvals_decided,
              count(*) FILTER (WHERE type = 'side_effect') AS side_effects,
              max(ts) AS last_ts,
              (SELECT payload->'quota' FROM upto WHERE type = 'decision' AND payload ? 'quota' ORDER BY ts DESC, id DESC LIMIT 1) AS quota
         FROM upto`,
      ...params,
    );
    const n = (v: bigint | number | null | undefined) => Number(v ?? 0);
    return {
      position: Math.min(input.position, Math.max(0, n(row?.events) - 1)),
      events: n(row?.events),
      tool_calls: n(row?.tool_calls),
      errors: n(row?.errors),
      input_tokens: n(row?.input_tokens),
      output_tokens: n(row?.output_tokens),
      cost_usd: Math.round(n(row?.cost_usd) * 1e6) / 1e6,
      decisions: n(row?.decisions),
      denials: n(row?.denials),
      side_effects: n(row?.side_effects),
      open_approvals: Math.max(0, n(row?.approvals_requested) - n(row?.approvals_decided)),
      quota: Array.isArray(row?.quota) ? row.quota : [],
      at: row?.last_ts?.toISOString() ?? null,
    };
  });
}

import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { notFound } from "@/lib/errors";

type RunRow = NonNullable<Awaited<ReturnType<Tx["run"]["findUnique"]>>>;

/** A run by the agent's run id, or null. */
export async function findRun(tx: Tx, tenantId: string, where: { externalId: string } | { id: string }): Promise<RunRow | null> {
  return "id" in where
    ? tx.run.findFirst({ where: { tenantId, id: where.id } })
    : tx.run.findUnique({ where: { tenantId_externalId: { tenantId, externalId: where.externalId } } });
}

/** The run summary of API.md §5 (what the worker maintains; nothing is aggregated here). */
export function runSummary(run: RunRow, agentName: string | null) {
  const meta = (run.meta ?? {}) as { model?: unknown; input?: unknown };
  const end = run.finishedAt ?? run.lastEventAt;
  return {
    run_id: run.externalId,
    id: run.id,
    status: run.status,
    outcome: run.outcome,
    agent: { id: run.agentId, name: agentName },
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    last_event_at: run.lastEventAt?.toISOString() ?? null,
    duration_ms: end ? Math.max(0, end.getTime() - run.startedAt.getTime()) : null,
    policy_version: run.policyVersion,
    model: meta.model ?? null,
    input: meta.input ?? null,
    totals: {
      events: run.eventCount,
      tool_calls: run.toolCalls,
      errors: run.errorCount,
      input_tokens: run.inputTokens,
      output_tokens: run.outputTokens,
      tokens: run.inputTokens + run.outputTokens,
      cost_usd: Number(run.costUsd),
      decisions: run.decisionCount,
      denials: run.denialCount,
      approvals: run.approvalCount,
      side_effects: run.sideEffectCount,
    },
  };
}

export type RunSummary = ReturnType<typeof runSummary>;

/**
 * GET /api/v1/runs/{run_id} and the console's run header. Another tenant's run is a 404,
 * and so is another agent's run when an agent asks (`agentId`): agents read only their own.
 */
export async function getRun(input: { tenantId: string; agentId?: string } & ({ externalId: string } | { id: string })): Promise<RunSummary> {
  const { tenantId } = input;
  return withTenant({ tenantId }, async (tx) => {
    const run = await findRun(tx, tenantId, "id" in input ? { id: input.id } : { externalId: input.externalId });
    if (!run || (input.agentId && run.agentId !== input.agentId)) throw notFound("Run");
    const agent = await tx.agent.findFirst({ where: { tenantId, id: run.agentId }, select: { name: true } });
    return runSummary(run, agent?.name ?? null);
  });
}

import { z } from "zod";
import type { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { storableText } from "@/lib/http/params";
import { instantParam, notACursor, storableInstant } from "./cursor";

const flag = z.enum(["true", "false"]).transform((v) => v === "true");

export const runsQuery = z.object({
  agent: z.string().max(64).optional(),
  outcome: z.enum(["running", "succeeded", "failed", "escalated", "terminated"]).optional(),
  from: instantParam.optional(),
  to: instantParam.optional(),
  min_cost: z.coerce.number().min(0).optional(),
  has_denials: flag.optional(),
  has_approvals: flag.optional(),
  q: z.string().trim().max(500).optional(), // run id (or its start), or a side effect's object id
  before: z.string().max(200).optional(), // keyset cursor from the previous page
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type RunsQuery = z.infer<typeof runsQuery>;

const encode = (startedAt: Date, id: string) => Buffer.from(`${startedAt.toISOString()}|${id}`).toString("base64url");
function decode(cursor: string) {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = storableInstant(iso ?? "");
  // Run ids are storable strings (no NUL, no lone surrogate): anything else was never issued.
  if (!id || !at || !storableText(id)) throw notACursor("before");
  return { at, id };
}

/**
 * The Runs list: newest first, keyset-paginated on (startedAt, id), filtered on the
 * summary columns the worker maintains (never aggregating events). `q` matches a run id
 * (exact or prefix) or the object id of a side effect (refund id, PR number…).
 */
export async function listRuns({ tenantId, query }: { tenantId: string; query: RunsQuery }) {
  return withTenant({ tenantId }, async (tx) => {
    const and: Prisma.RunWhereInput[] = [{ tenantId }];
    if (query.agent) and.push({ agentId: query.agent });
    if (query.outcome === "running") and.push({ status: "running" });
    else if (query.outcome) and.push({ outcome: query.outcome });
    if (query.from) and.push({ startedAt: { gte: new Date(query.from) } });
    if (query.to) and.push({ startedAt: { lte: new Date(query.to) } });
    if (query.min_cost !== undefined) and.push({ costUsd: { gte: query.min_cost } });
    if (query.has_denials !== undefined) and.push(query.has_denials ? { denialCount: { gt: 0 } } : { denialCount: 0 });
    if (query.has_approvals !== undefined) and.push(query.has_approvals ? { approvalCount: { gt: 0 } } : { approvalCount: 0 });
    if (query.q) {
      const bySideEffect = await tx.$queryRaw<{ runExternalId: string }[]>`
        SELECT DISTINCT "runExternalId" FROM run_events
         WHERE "tenantId" = ${tenantId} AND type = 'side_effect' AND payload->>'object_id' = ${query.q} LIMIT 200`;
      and.push({
        OR: [
          { externalId: { startsWith: query.q } },
          { id: query.q },
          ...(bySideEffect.length ? [{ externalId: { in: bySideEffect.map((r) => r.runExternalId) } }] : []),
        ],
      });
    }
    if (query.before) {
      const c = decode(query.before);
      and.push({ OR: [{ startedAt: { lt: c.at } }, { startedAt: c.at, id: { lt: c.id } }] });
    }
    const rows = await tx.run.findMany({ where: { AND: and }, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const agents = await tx.agent.findMany({ where: { tenantId, id: { in: [...new Set(page.map((r) => r.agentId))] } }, select: { id: true, name: true } });
    const name = new Map(agents.map((a) => [a.id, a.name]));
    const last = page.at(-1);
    return {
      runs: page.map((r) => {
        const end = r.finishedAt ?? r.lastEventAt;
        return {
          id: r.id,
          runId: r.externalId,
          agent: { id: r.agentId, name: name.get(r.agentId) ?? r.agentId },
          status: r.status,
          outcome: r.outcome,
          startedAt: r.startedAt.toISOString(),
          durationMs: end ? Math.max(0, end.getTime() - r.startedAt.getTime()) : null,
          events: r.eventCount,
          toolCalls: r.toolCalls,
          errors: r.errorCount,
          tokens: r.inputTokens + r.outputTokens,
          costUsd: Number(r.costUsd),
          denials: r.denialCount,
          approvals: r.approvalCount,
        };
      }),
      next: rows.length > query.limit && last ? encode(last.startedAt, last.id) : null,
    };
  });
}

export type RunRow = Awaited<ReturnType<typeof listRuns>>["runs"][number];

/** Agents for the filter menu. */
export async function listRunAgents({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, (tx) => tx.agent.findMany({ where: { tenantId }, select: { id: true, name: true }, orderBy: { name: "asc" } }));
}

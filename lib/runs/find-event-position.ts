import { withTenant } from "@/lib/db/tenant";
import { notFound } from "@/lib/errors";
import { findRun } from "./get-run";

/**
 * The position (0-based, timeline order) of the event with this id in the run, for
 * following causal links in the console (tool call → its decision, side effect → its
 * tool call). Server records are preferred when an agent used the same id.
 */
export async function findEventPosition(input: { tenantId: string; runId: string; key: string }): Promise<{ position: number } | null> {
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const run = await findRun(tx, input.tenantId, { id: input.runId });
    if (!run) throw notFound("Run");
    const params: unknown[] = [input.tenantId, run.externalId, input.key];
    let bounds = "";
    if (run.firstReceivedAt && run.lastReceivedAt) {
      params.push(run.firstReceivedAt.toISOString(), run.lastReceivedAt.toISOString());
      bounds = ` AND "receivedAt" >= $4::timestamp(3) AND "receivedAt" <= $5::timestamp(3)`;
    }
    const rows = await tx.$queryRawUnsafe<{ position: bigint }[]>(
      `WITH target AS (
         SELECT ts, id FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2 AND "eventKey" = $3${bounds}
          ORDER BY (source = 'server') DESC LIMIT 1)
       SELECT (SELECT count(*) FROM run_events e WHERE e."tenantId" = $1 AND e."runExternalId" = $2${bounds.replaceAll('"receivedAt"', 'e."receivedAt"')}
                 AND (e.ts, e.id) < (target.ts, target.id)) AS position
         FROM target`,
      ...params,
    );
    return rows[0] ? { position: Number(rows[0].position) } : null;
  });
}

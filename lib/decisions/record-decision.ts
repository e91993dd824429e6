import { withTenantPg } from "@/lib/ingest/pg-writer";
import { writeDecisionBatch } from "./decision-writer";
import type { DecisionRecord } from "./schemas";

/**
 * Writes decisions the API already answered, all of one tenant: the decisions rows, their
 * run timeline entries and audit entries, in one transaction, each once (a retried job
 * finds its row and writes nothing more for it). Returns how many were new.
 * Through the plain `pg` pool, not Prisma: per record the driver adapter's conversions cost
 * the worker more than Postgres spends storing it (see lib/ingest/pg-writer.ts).
 */
export async function recordDecisions(tenantId: string, records: DecisionRecord[]): Promise<{ recorded: number; duplicates: number }> {
  if (records.some((r) => r.tenantId !== tenantId)) throw new Error("recordDecisions: records of another tenant");
  return withTenantPg(tenantId, (sql) => writeDecisionBatch(sql, tenantId, records));
}

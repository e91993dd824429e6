import { withTenant } from "@/lib/db/tenant";

export type DeadLetterRow = {
  id: string;
  queue: string;
  jobName: string;
  error: string;
  payloadBytes: number;
  attempts: number;
  createdAt: string;
  redrivenAt: string | null;
  redrivable: boolean;
};

/** The tenant's dead-lettered jobs, newest first (payloads stay in the database). */
export async function listDeadLetters(input: { tenantId: string; limit?: number }): Promise<DeadLetterRow[]> {
  const rows = await withTenant({ tenantId: input.tenantId }, (tx) =>
    tx.deadLetterJob.findMany({
      where: { tenantId: input.tenantId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: input.limit ?? 100,
      select: { id: true, queue: true, jobName: true, error: true, payloadBytes: true, attempts: true, createdAt: true, redrivenAt: true },
    }),
  );
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    redrivenAt: r.redrivenAt?.toISOString() ?? null,
    redrivable: r.redrivenAt === null && r.payloadBytes > 0,
  }));
}

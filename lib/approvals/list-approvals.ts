import { withTenant } from "@/lib/db/tenant";

export async function listPendingApprovals({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, (tx) =>
    tx.approval.findMany({ where: { tenantId, status: "pending" }, orderBy: { expiresAt: "asc" }, take: 100 }),
  );
}

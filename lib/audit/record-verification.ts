import { withTenant } from "@/lib/db/tenant";
import { verifyAuditChain } from "./verify-audit-chain";

/** Verifies a tenant's chain and stores the verdict for the Audit page. */
export async function recordAuditVerification({ tenantId, trigger }: { tenantId: string; trigger: "schedule" | "manual" }) {
  const result = await verifyAuditChain({ tenantId });
  return withTenant({ tenantId }, (tx) =>
    tx.auditVerification.create({
      data: {
        tenantId,
        trigger,
        ok: result.ok,
        checked: result.checked,
        headSeq: result.ok ? result.headSeq : null,
        headHash: result.ok ? result.headHash : null,
        brokenAtSeq: result.ok ? null : result.brokenAtSeq,
        problem: result.ok ? null : result.problem,
      },
    }),
  );
}

export async function latestAuditVerifications({ tenantId, take = 10 }: { tenantId: string; take?: number }) {
  return withTenant({ tenantId }, (tx) =>
    tx.auditVerification.findMany({ where: { tenantId }, orderBy: { createdAt: "desc" }, take }),
  );
}

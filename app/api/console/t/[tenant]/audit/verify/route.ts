import { recordAuditVerification } from "@/lib/audit/record-verification";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "audit.view" }, async ({ member }) => {
  const v = await recordAuditVerification({ tenantId: member.tenant.id, trigger: "manual" });
  return {
    ok: v.ok,
    checked: v.checked,
    headSeq: v.headSeq?.toString() ?? null,
    brokenAtSeq: v.brokenAtSeq?.toString() ?? null,
    problem: v.problem,
    at: v.createdAt.toISOString(),
  };
});

import { getApprovalRequest } from "@/lib/approvals/get-approval-request";
import { memberRoute } from "@/lib/http/route";

/** One approval request with everything its page shows; 404 in another tenant. */
export const GET = memberRoute({ permission: "console.view" }, async ({ member, params }) =>
  getApprovalRequest({ tenantId: member.tenant.id, approvalId: params.approvalId!, viewer: { userId: member.user.id, role: member.role } }),
);

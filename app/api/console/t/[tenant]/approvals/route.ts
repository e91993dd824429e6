import { listApprovalQueue } from "@/lib/approvals/list-approval-queue";
import { approvalQueueQuery } from "@/lib/approvals/schemas";
import { memberRoute } from "@/lib/http/route";

/** The approvals queue (pending by urgency, or the decided history), with counts per status. */
export const GET = memberRoute({ permission: "console.view", query: approvalQueueQuery }, async ({ member, query }) =>
  listApprovalQueue({ tenantId: member.tenant.id, viewer: { userId: member.user.id, role: member.role }, query }),
);

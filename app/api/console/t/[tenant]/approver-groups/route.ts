import { listApproverGroups } from "@/lib/approvals/set-approver-groups";
import { memberRoute } from "@/lib/http/route";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => ({ groups: await listApproverGroups({ tenantId: member.tenant.id }) }));

import { approverGroupsInput, setApproverGroups } from "@/lib/approvals/set-approver-groups";
import { memberRoute } from "@/lib/http/route";

export const PUT = memberRoute({ permission: "members.manage", body: approverGroupsInput }, async ({ member, params, body, requestId }) =>
  setApproverGroups({ actor: member, membershipId: params.membershipId!, groups: body.groups, requestId }),
);

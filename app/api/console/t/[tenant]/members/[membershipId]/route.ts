import { memberRoute } from "@/lib/http/route";
import { changeMemberRole, removeMember } from "@/lib/tenancy/change-member-role";
import { changeRoleInput } from "@/lib/tenancy/schemas";

export const PATCH = memberRoute({ permission: "members.manage", body: changeRoleInput }, async ({ member, params, body, requestId }) => {
  const updated = await changeMemberRole({ actor: member, membershipId: params.membershipId!, role: body.role, requestId });
  return { id: updated.id, role: updated.role };
});

export const DELETE = memberRoute({ permission: "members.manage" }, async ({ member, params, requestId }) => {
  await removeMember({ actor: member, membershipId: params.membershipId!, requestId });
  return { removed: true };
});

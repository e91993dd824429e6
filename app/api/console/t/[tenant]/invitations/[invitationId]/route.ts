import { memberRoute } from "@/lib/http/route";
import { revokeInvitation } from "@/lib/tenancy/invite-member";

export const DELETE = memberRoute({ permission: "members.manage" }, async ({ member, params, requestId }) => {
  await revokeInvitation({ actor: member, invitationId: params.invitationId!, requestId });
  return { revoked: true };
});

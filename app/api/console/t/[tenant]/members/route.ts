import { memberRoute, reply } from "@/lib/http/route";
import { inviteMember } from "@/lib/tenancy/invite-member";
import { listMembers } from "@/lib/tenancy/list-members";
import { inviteInput } from "@/lib/tenancy/schemas";

export const GET = memberRoute({ permission: "members.view" }, async ({ member }) => listMembers({ tenantId: member.tenant.id }));

export const POST = memberRoute({ permission: "members.manage", body: inviteInput }, async ({ member, body, requestId, request }) => {
  const { invitation, token } = await inviteMember({ actor: member, ...body, requestId });
  const origin = new URL(request.url).origin;
  return reply(
    { invitation: { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt }, acceptUrl: `${origin}/invite/${token}` },
    { status: 201 },
  );
});

import type { SessionUser } from "@/lib/auth/member";
import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { withInviteToken, withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { hashInviteToken } from "./invite-member";

/** What an invite link shows before accepting: tenant and role, if the token is open. */
export async function findOpenInvitation(token: string) {
  const tokenHash = hashInviteToken(token);
  const invitation = await withInviteToken(tokenHash, (tx) => tx.invitation.findUnique({ where: { tokenHash } }));
  if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt < new Date()) return null;
  const tenant = await withTenant({ tenantId: invitation.tenantId }, (tx) =>
    tx.tenant.findUnique({ where: { id: invitation.tenantId }, select: { name: true, slug: true } }),
  );
  return tenant ? { invitation, tenant } : null;
}

/** The signed-in user joins the tenant with the invited role; the email must match. */
export async function acceptInvitation(input: { user: SessionUser; token: string; requestId?: string }) {
  const open = await findOpenInvitation(input.token);
  if (!open) throw new AppError("not_found", "This invitation is invalid, used, revoked or expired.");
  const { invitation, tenant } = open;
  if (invitation.email !== input.user.email.toLowerCase()) {
    throw new AppError("forbidden", `This invitation is for ${invitation.email}. Sign in with that address to accept it.`);
  }
  await withTenant({ tenantId: invitation.tenantId, userId: input.user.id }, async (tx) => {
    // Marking it accepted first (guarded on acceptedAt) makes a double click harmless.
    const claimed = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null, revokedAt: null },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count !== 1) throw new AppError("not_found", "This invitation was already used.");
    const existing = await tx.membership.findFirst({ where: { tenantId: invitation.tenantId, userId: input.user.id } });
    if (!existing) {
      await tx.membership.create({ data: { tenantId: invitation.tenantId, userId: input.user.id, role: invitation.role } });
    }
    await appendAuditEntry(tx, {
      tenantId: invitation.tenantId,
      actor: { type: "user", id: input.user.id, label: input.user.email },
      action: "member.joined",
      target: { type: "member", id: input.user.id },
      after: { email: input.user.email, role: existing?.role ?? invitation.role, invitationId: invitation.id },
      requestId: input.requestId,
    });
  });
  return tenant;
}

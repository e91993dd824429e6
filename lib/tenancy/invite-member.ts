import { createHash } from "node:crypto";
import type { MemberContext } from "@/lib/auth/member";
import { assignableRoles } from "@/lib/auth/roles";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Role } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newSecretToken } from "@/lib/ids";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const hashInviteToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Invites an email address with a role. Returns the one-time token for the accept link;
 * only its hash is stored.
 */
export async function inviteMember(input: { actor: MemberContext; email: string; role: Role; requestId?: string }) {
  const { actor } = input;
  if (!assignableRoles(actor.role).includes(input.role)) {
    throw new AppError("forbidden", "Only owners can invite owners.");
  }
  const token = newSecretToken();
  const tenantId = actor.tenant.id;
  const invitation = await withTenant({ tenantId }, async (tx) => {
    const existing = await tx.membership.findFirst({ where: { tenantId, user: { email: input.email } } });
    if (existing) throw new AppError("conflict", `${input.email} is already a member.`);
    // A new invitation replaces any open one for the same address.
    await tx.invitation.updateMany({
      where: { tenantId, email: input.email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const created = await tx.invitation.create({
      data: {
        tenantId,
        email: input.email,
        role: input.role,
        tokenHash: hashInviteToken(token),
        invitedById: actor.user.id,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
    });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(actor),
      action: "member.invited",
      target: { type: "invitation", id: created.id },
      after: { email: input.email, role: input.role, expiresAt: created.expiresAt.toISOString() },
      requestId: input.requestId,
    });
    return created;
  });
  return { invitation, token };
}

export async function revokeInvitation(input: { actor: MemberContext; invitationId: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const invitation = await tx.invitation.findFirst({ where: { id: input.invitationId, tenantId, acceptedAt: null, revokedAt: null } });
    if (!invitation) throw new AppError("not_found", "Invitation not found.");
    await tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: new Date() } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "member.invitation_revoked",
      target: { type: "invitation", id: invitation.id },
      before: { email: invitation.email, role: invitation.role },
      requestId: input.requestId,
    });
  });
}

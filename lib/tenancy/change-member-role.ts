import type { MemberContext } from "@/lib/auth/member";
import { assignableRoles } from "@/lib/auth/roles";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Role } from "@/lib/db/generated/enums";
import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";

async function loadTarget(tx: Tx, actor: MemberContext, membershipId: string) {
  const target = await tx.membership.findFirst({
    where: { id: membershipId, tenantId: actor.tenant.id },
    include: { user: { select: { email: true } } },
  });
  if (!target) throw new AppError("not_found", "Member not found.");
  if (target.role === "owner" && actor.role !== "owner") throw new AppError("forbidden", "Only owners can change owners.");
  return target;
}

async function assertAnotherOwner(tx: Tx, tenantId: string, membershipId: string) {
  const owners = await tx.membership.count({ where: { tenantId, role: "owner", id: { not: membershipId } } });
  if (owners === 0) throw new AppError("conflict", "A tenant needs at least one owner. Make someone else owner first.");
}

export async function changeMemberRole(input: { actor: MemberContext; membershipId: string; role: Role; requestId?: string }) {
  const { actor } = input;
  if (!assignableRoles(actor.role).includes(input.role)) throw new AppError("forbidden", "Only owners can make owners.");
  return withTenant({ tenantId: actor.tenant.id }, async (tx) => {
    const target = await loadTarget(tx, actor, input.membershipId);
    if (target.role === input.role) return target;
    if (target.role === "owner") await assertAnotherOwner(tx, actor.tenant.id, target.id);
    const updated = await tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
    await appendAuditEntry(tx, {
      tenantId: actor.tenant.id,
      actor: memberActor(actor),
      action: "member.role_changed",
      target: { type: "member", id: target.userId },
      before: { email: target.user.email, role: target.role },
      after: { email: target.user.email, role: input.role },
      requestId: input.requestId,
    });
    return updated;
  });
}

export async function removeMember(input: { actor: MemberContext; membershipId: string; requestId?: string }) {
  const { actor } = input;
  return withTenant({ tenantId: actor.tenant.id }, async (tx) => {
    const target = await loadTarget(tx, actor, input.membershipId);
    if (target.role === "owner") await assertAnotherOwner(tx, actor.tenant.id, target.id);
    await tx.membership.delete({ where: { id: target.id } });
    await appendAuditEntry(tx, {
      tenantId: actor.tenant.id,
      actor: memberActor(actor),
      action: "member.removed",
      target: { type: "member", id: target.userId },
      before: { email: target.user.email, role: target.role },
      requestId: input.requestId,
    });
  });
}

import { z } from "zod";
import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { GROUP_NAME } from "./schemas";

/** PUT /api/console/t/[tenant]/members/[membershipId]/groups */
export const approverGroupsInput = z.object({
  groups: z
    .array(z.string().trim().toLowerCase().regex(GROUP_NAME, "Group names are lower-case letters, digits, - and _ (at most 40)."))
    .max(20)
    .transform((g) => [...new Set(g)].sort()),
});

/**
 * Sets a member's approver groups (e.g. "security", "finance"), which rules can require to
 * sign. Votes keep the groups their voter had when voting, so a later change never rewrites
 * a decided request. Audited with before and after.
 */
export async function setApproverGroups(input: { actor: MemberContext; membershipId: string; groups: string[]; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const target = await tx.membership.findFirst({ where: { id: input.membershipId, tenantId }, include: { user: { select: { email: true } } } });
    if (!target) throw new AppError("not_found", "Member not found.");
    const groups = [...new Set(input.groups)].sort();
    if (JSON.stringify(groups) === JSON.stringify([...target.approverGroups].sort())) return { id: target.id, approverGroups: target.approverGroups };
    const updated = await tx.membership.update({ where: { id: target.id }, data: { approverGroups: groups } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "member.approver_groups_changed",
      target: { type: "member", id: target.userId },
      before: { email: target.user.email, approverGroups: target.approverGroups },
      after: { email: target.user.email, approverGroups: groups },
      requestId: input.requestId,
    });
    return { id: updated.id, approverGroups: updated.approverGroups };
  });
}

/** Every approver group in use: named on a member, with its members' emails (rule editor suggestions, members page). */
export async function listApproverGroups(input: { tenantId: string }): Promise<{ name: string; members: string[] }[]> {
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const members = await tx.membership.findMany({ where: { tenantId: input.tenantId, NOT: { approverGroups: { isEmpty: true } } }, select: { approverGroups: true, user: { select: { email: true } } } });
    const byGroup = new Map<string, string[]>();
    for (const m of members) for (const g of m.approverGroups) byGroup.set(g, [...(byGroup.get(g) ?? []), m.user.email]);
    return [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, emails]) => ({ name, members: emails.sort() }));
  });
}

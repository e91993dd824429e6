import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";

export async function updateTenantSettings(input: { actor: MemberContext; name: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const before = await tx.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    if (before.name === input.name) return before;
    const after = await tx.tenant.update({ where: { id: tenantId }, data: { name: input.name } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "tenant.settings_changed",
      target: { type: "tenant", id: tenantId },
      before: { name: before.name },
      after: { name: after.name },
      requestId: input.requestId,
    });
    return after;
  });
}

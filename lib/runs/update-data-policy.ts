import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Prisma } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { forgetRedactionPaths } from "@/lib/ingest/redaction-settings";
import { parseDataPolicy, type DataPolicy } from "./data-policy";

/** Reads the tenant's run-data policy (defaults filled in). */
export async function getDataPolicy({ tenantId }: { tenantId: string }): Promise<DataPolicy> {
  const tenant = await withTenant({ tenantId }, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } }));
  return parseDataPolicy(tenant?.settings);
}

/** Changes retention and redaction paths; audited with before/after. */
export async function updateDataPolicy(input: { actor: MemberContext; policy: DataPolicy; requestId?: string }): Promise<DataPolicy> {
  const tenantId = input.actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { settings: true } });
    const before = parseDataPolicy(tenant.settings);
    const settings = { ...((tenant.settings ?? {}) as Record<string, unknown>), retention: input.policy.retention, redaction: input.policy.redaction };
    await tx.tenant.update({ where: { id: tenantId }, data: { settings: settings as Prisma.InputJsonValue } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "tenant.data_policy_changed",
      target: { type: "tenant", id: tenantId },
      before,
      after: input.policy,
      requestId: input.requestId,
    });
    return input.policy;
  });
  await forgetRedactionPaths(tenantId);
  return result;
}

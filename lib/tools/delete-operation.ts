import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { registryChanged } from "./registry-changed";
import { auditToolChange, describeOperation, lockTool } from "./tool-audit";

/**
 * Removes one operation from the registry. Allowlist rules that name it no longer match
 * anything, so agents calling it are denied (unknown operation). The audit entry keeps
 * the whole operation, so it can be restored by hand.
 */
export async function deleteOperation(input: { actor: MemberContext; toolId: string; operationId: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    const tool = await lockTool(tx, tenantId, input.toolId);
    const existing = await tx.toolOperation.findFirst({ where: { tenantId, toolId: tool.id, id: input.operationId } });
    if (!existing) throw new AppError("not_found", "Operation not found.");
    await tx.toolOperation.delete({ where: { id: existing.id } });
    await auditToolChange(tx, { actor: input.actor, toolName: tool.name, action: "tool.operation_deleted", before: describeOperation(existing), requestId: input.requestId });
    return { deleted: describeOperation(existing) };
  });
  await registryChanged(tenantId);
  return result;
}

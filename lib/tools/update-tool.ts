import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import type { UpdateToolInput } from "./schemas";
import { auditToolChange, lockTool } from "./tool-audit";

/** Changes a tool's display name or description (its name is fixed: policies and kill switches name it). */
export async function updateTool(input: { actor: MemberContext; toolId: string; changes: UpdateToolInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const before = await lockTool(tx, tenantId, input.toolId);
    const changed = (Object.keys(input.changes) as (keyof UpdateToolInput)[]).filter((k) => input.changes[k] !== undefined && input.changes[k] !== before[k]);
    if (changed.length === 0) return before;
    const data = Object.fromEntries(changed.map((k) => [k, input.changes[k]]));
    const after = await tx.tool.update({ where: { id: before.id }, data });
    await auditToolChange(tx, {
      actor: input.actor,
      toolName: before.name,
      action: "tool.updated",
      before: Object.fromEntries(changed.map((k) => [k, before[k]])),
      after: data,
      requestId: input.requestId,
    });
    return after;
  });
}

import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import type { Prisma } from "@/lib/db/generated/client";
import { AppError } from "@/lib/http/errors";
import { assertArgsSchema } from "./args-schema";
import { operationChanges } from "./operation-changes";
import type { UpdateOperationInput } from "./schemas";
import { registryChanged } from "./registry-changed";
import { auditToolChange, describeOperation, lockTool } from "./tool-audit";

/** Changes an operation's schema, risk class, reversibility or description; only the fields sent. */
export async function updateOperation(input: { actor: MemberContext; toolId: string; operationId: string; changes: UpdateOperationInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  if (input.changes.argsSchema !== undefined) assertArgsSchema(input.changes.argsSchema);
  const result = await withTenant({ tenantId }, async (tx) => {
    const tool = await lockTool(tx, tenantId, input.toolId);
    const existing = await tx.toolOperation.findFirst({ where: { tenantId, toolId: tool.id, id: input.operationId } });
    if (!existing) throw new AppError("not_found", "Operation not found.");
    const changes = operationChanges(existing, input.changes);
    if (!changes) return { operation: describeOperation(existing), changed: false };
    const data = changes.after as Prisma.ToolOperationUpdateInput;
    const updated = await tx.toolOperation.update({ where: { id: existing.id }, data });
    await auditToolChange(tx, {
      actor: input.actor,
      toolName: tool.name,
      action: "tool.operation_updated",
      before: { name: existing.name, ...changes.before },
      after: { name: existing.name, ...changes.after },
      requestId: input.requestId,
    });
    return { operation: describeOperation(updated), changed: true };
  });
  if (result.changed) await registryChanged(tenantId);
  return result;
}

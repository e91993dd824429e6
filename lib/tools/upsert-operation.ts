import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import type { Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { assertArgsSchema } from "./args-schema";
import { operationChanges } from "./operation-changes";
import type { UpsertOperationInput } from "./schemas";
import { registryChanged } from "./registry-changed";
import { auditToolChange, describeOperation, lockTool } from "./tool-audit";

/**
 * Adds an operation to a tool, or replaces the one with the same name (its schema,
 * risk class, reversibility and description). The schema must compile.
 */
export async function upsertOperation(input: { actor: MemberContext; toolId: string; operation: UpsertOperationInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { name, ...fields } = input.operation;
  assertArgsSchema(fields.argsSchema);
  const result = await withTenant({ tenantId }, async (tx) => {
    const tool = await lockTool(tx, tenantId, input.toolId);
    const existing = await tx.toolOperation.findFirst({ where: { tenantId, toolId: tool.id, name } });
    const data = { ...fields, argsSchema: fields.argsSchema as Prisma.InputJsonObject };
    if (!existing) {
      const created = await tx.toolOperation.create({ data: { id: newId("op"), tenantId, toolId: tool.id, name, ...data } });
      await auditToolChange(tx, { actor: input.actor, toolName: tool.name, action: "tool.operation_added", after: describeOperation(created), requestId: input.requestId });
      return { operation: describeOperation(created), created: true, changed: true };
    }
    const changes = operationChanges(existing, fields);
    if (!changes) return { operation: describeOperation(existing), created: false, changed: false };
    const updated = await tx.toolOperation.update({ where: { id: existing.id }, data });
    await auditToolChange(tx, { actor: input.actor, toolName: tool.name, action: "tool.operation_updated", before: { name, ...changes.before }, after: { name, ...changes.after }, requestId: input.requestId });
    return { operation: describeOperation(updated), created: false, changed: true };
  });
  if (result.changed) await registryChanged(tenantId);
  return result;
}

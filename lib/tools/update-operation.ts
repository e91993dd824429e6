import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { Prisma } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
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
    const { http, sideEffectFields, spendField, ...fields } = input.changes;
    const found = operationChanges(existing, fields);
    const changes = { before: { ...found?.before } as Record<string, unknown>, after: { ...found?.after } as Record<string, unknown> };
    // The gateway mapping (method + path, side-effect fields) is compared as JSON, like schemas.
    const gateway: Record<string, unknown> = {
      ...(http !== undefined && { httpMethod: http?.method ?? null, httpPath: http?.path ?? null }),
      ...(sideEffectFields !== undefined && { sideEffectFields }),
      ...(spendField !== undefined && { spendField }),
    };
    for (const [k, v] of Object.entries(gateway)) {
      const current = existing[k as keyof typeof existing] ?? null;
      if (JSON.stringify(current) === JSON.stringify(v)) continue;
      changes.before[k] = current;
      changes.after[k] = v;
    }
    if (Object.keys(changes.after).length === 0) return { operation: describeOperation(existing), changed: false };
    const data = {
      ...changes.after,
      ...("sideEffectFields" in changes.after && { sideEffectFields: changes.after.sideEffectFields ?? Prisma.JsonNull }),
      ...("spendField" in changes.after && { spendField: changes.after.spendField ?? Prisma.JsonNull }),
    } as Prisma.ToolOperationUpdateInput;
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

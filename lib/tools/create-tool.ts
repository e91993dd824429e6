import type { MemberContext } from "@/lib/auth/member";
import { isUniqueViolation } from "@/lib/db/errors";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { registryChanged } from "./registry-changed";
import type { CreateToolInput } from "./schemas";
import { auditToolChange } from "./tool-audit";

/** Registers a tool (no operations yet: add them one by one or import a catalogue). */
export async function createTool(input: { actor: MemberContext; tool: CreateToolInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { name, displayName, description } = input.tool;
  try {
    const created = await withTenant({ tenantId }, async (tx) => {
      const tool = await tx.tool.create({ data: { id: newId("tool"), tenantId, name, displayName, description } });
      await auditToolChange(tx, { actor: input.actor, toolName: name, action: "tool.registered", after: { name, displayName, description }, requestId: input.requestId });
      return tool;
    });
    await registryChanged(tenantId);
    return created;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `A tool named ${name} already exists in this tenant.`, [{ path: "name", message: "This name is taken." }]);
    throw error;
  }
}

import type { z } from "zod";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { auditAgentChange } from "./agent-audit";
import { authState } from "./auth-state";
import type { updateAgentInput } from "./schemas";

export async function updateAgent(input: { actor: MemberContext; agentId: string; changes: z.infer<typeof updateAgentInput>; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { tokenTtlMinutes, ...fields } = input.changes;
  const updated = await withTenant({ tenantId }, async (tx) => {
    const before = await tx.agent.findFirst({ where: { id: input.agentId, tenantId } });
    if (!before) throw new AppError("not_found", "Agent not found.");
    if (before.status === "decommissioned") throw new AppError("conflict", "A decommissioned agent is kept for the record and cannot be edited.");
    if (fields.ownerId && !(await tx.membership.findFirst({ where: { tenantId, userId: fields.ownerId } }))) {
      throw new AppError("validation_failed", "The owner must be a member of this tenant.", [{ path: "ownerId", message: "Not a member." }]);
    }
    const data = { ...fields, ...(tokenTtlMinutes !== undefined && { tokenTtlSeconds: tokenTtlMinutes * 60 }) };
    const after = await tx.agent.update({ where: { id: before.id }, data });
    const changed = Object.fromEntries(Object.keys(data).map((k) => [k, [before[k as keyof typeof before], after[k as keyof typeof after]]]));
    await auditAgentChange(tx, {
      actor: input.actor,
      agentId: before.id,
      action: "agent.updated",
      before: Object.fromEntries(Object.entries(changed).map(([k, [b]]) => [k, b])),
      after: Object.fromEntries(Object.entries(changed).map(([k, [, a]]) => [k, a])),
      requestId: input.requestId,
    });
    return after;
  });
  await authState.publish({ kind: "agent", id: input.agentId }); // labels feed group rules
  return updated;
}

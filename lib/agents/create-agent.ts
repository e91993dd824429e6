import type { MemberContext } from "@/lib/auth/member";
import { isUniqueViolation } from "@/lib/db/errors";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { auditAgentChange } from "./agent-audit";
import type { CreateAgentInput } from "./schemas";

export async function createAgent(input: { actor: MemberContext; agent: CreateAgentInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const { tokenTtlMinutes, ...fields } = input.agent;
  try {
    return await withTenant({ tenantId }, async (tx) => {
      const owner = await tx.membership.findFirst({ where: { tenantId, userId: fields.ownerId } });
      if (!owner) throw new AppError("validation_failed", "The owner must be a member of this tenant.", [{ path: "ownerId", message: "Not a member." }]);
      const agent = await tx.agent.create({ data: { id: newId("agt"), tenantId, ...fields, tokenTtlSeconds: tokenTtlMinutes * 60 } });
      await auditAgentChange(tx, { actor: input.actor, agentId: agent.id, action: "agent.created", after: { ...fields, tokenTtlSeconds: agent.tokenTtlSeconds }, requestId: input.requestId });
      return agent;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `An agent named ${fields.name} already exists in this tenant.`);
    throw error;
  }
}

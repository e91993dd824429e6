import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Tx } from "@/lib/db/client";

/** Audits a change to one agent, made by a member. */
export function auditAgentChange(
  tx: Tx,
  input: { actor: MemberContext; agentId: string; action: string; before?: unknown; after?: unknown; requestId?: string },
) {
  return appendAuditEntry(tx, {
    tenantId: input.actor.tenant.id,
    actor: memberActor(input.actor),
    action: input.action,
    target: { type: "agent", id: input.agentId },
    before: input.before,
    after: input.after,
    requestId: input.requestId,
  });
}

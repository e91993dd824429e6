import type { Tx } from "@/lib/db/client";
import { type Prisma } from "@/lib/db/generated/client";

/** A pending approval bound to the exact action (its hash); created in the decision's request. */
export async function createApproval(
  tx: Tx,
  input: {
    id: string;
    tenantId: string;
    agentId: string;
    runExternalId: string;
    decisionId: string;
    actionHash: string;
    action: { tool: string; operation: string; resource: unknown; args: Record<string, unknown>; context?: unknown };
    reason: string;
    ruleId: string;
    requiredApprovals: number;
    expiresAt: Date;
  },
) {
  return tx.approval.create({
    data: { ...input, action: input.action as Prisma.InputJsonValue, status: "pending" },
  });
}

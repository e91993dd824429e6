import type { Tx } from "@/lib/db/client";

/**
 * A change committed while the request was being created may carry a slightly earlier
 * timestamp (both are taken inside concurrent transactions); counting it is the safe side.
 */
export const IN_FLIGHT_MS = 60_000;

/**
 * Everyone who owned the agent from the request until now (separation of duties): the
 * current owner and both sides of every owner change since, from the agent's audit trail.
 * The approval queue asks the same in SQL (list-approval-queue.ts).
 * Without this, reassigning the owner, voting and reassigning back would pass.
 */
export async function ownersWhilePending(tx: Tx, input: { tenantId: string; agentId: string; currentOwnerId: string | null; since: Date }): Promise<Set<string>> {
  const changes = await tx.auditEntry.findMany({
    where: { tenantId: input.tenantId, action: "agent.updated", targetType: "agent", targetId: input.agentId, createdAt: { gte: new Date(input.since.getTime() - IN_FLIGHT_MS) } },
    select: { before: true, after: true },
  });
  const owners = new Set<string>(input.currentOwnerId ? [input.currentOwnerId] : []);
  for (const change of changes) {
    for (const side of [change.before, change.after]) {
      const ownerId = (side as { ownerId?: unknown } | null)?.ownerId;
      if (typeof ownerId === "string") owners.add(ownerId);
    }
  }
  return owners;
}

import { withTenant } from "@/lib/db/tenant";

/** The agents table: status, owner, environment, last seen, tokens in 24 h, oldest live credential. */
export async function listAgents({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const since = new Date(Date.now() - 24 * 60 * 60 * 1000);
    const [agents, tokenCounts] = await Promise.all([
      tx.agent.findMany({
        where: { tenantId },
        orderBy: { name: "asc" },
        include: { credentials: { where: { revokedAt: null }, select: { createdAt: true } } },
      }),
      tx.agentToken.groupBy({ by: ["agentId"], where: { tenantId, issuedAt: { gte: since } }, _count: true }),
    ]);
    const owners = await tx.user.findMany({ where: { id: { in: [...new Set(agents.map((a) => a.ownerId))] } }, select: { id: true, email: true } });
    const ownerEmail = new Map(owners.map((o) => [o.id, o.email]));
    const tokens = new Map(tokenCounts.map((t) => [t.agentId, t._count]));
    return agents.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      environment: a.environment,
      labels: a.labels,
      status: a.status,
      ownerId: a.ownerId,
      owner: ownerEmail.get(a.ownerId) ?? "unknown",
      lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
      tokens24h: tokens.get(a.id) ?? 0,
      credentials: a.credentials.length,
      oldestCredentialAt: a.credentials.reduce<Date | null>((min, c) => (!min || c.createdAt < min ? c.createdAt : min), null)?.toISOString() ?? null,
    }));
  });
}

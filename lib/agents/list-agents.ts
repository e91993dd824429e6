import { withTenant } from "@/lib/db/tenant";

export async function listAgents({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const agents = await tx.agent.findMany({
      where: { tenantId },
      orderBy: { name: "asc" },
      include: { credentials: { where: { revokedAt: null }, select: { kind: true, createdAt: true } } },
    });
    const ownerIds = [...new Set(agents.map((a) => a.ownerId))];
    const owners = await tx.user.findMany({ where: { id: { in: ownerIds } }, select: { id: true, email: true } });
    const ownerEmail = new Map(owners.map((o) => [o.id, o.email]));
    return agents.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      environment: a.environment,
      labels: a.labels,
      status: a.status,
      owner: ownerEmail.get(a.ownerId) ?? "unknown",
      lastSeenAt: a.lastSeenAt,
      credentials: a.credentials.length,
      oldestCredentialAt: a.credentials.reduce<Date | null>((min, c) => (!min || c.createdAt < min ? c.createdAt : min), null),
    }));
  });
}

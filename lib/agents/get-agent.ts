import { withTenant } from "@/lib/db/tenant";
import { describeCredential } from "./add-credential";

/** Everything the agent page shows: the agent, its owner, credentials, recent tokens and history. */
export async function getAgent({ tenantId, agentId }: { tenantId: string; agentId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const agent = await tx.agent.findFirst({ where: { id: agentId, tenantId }, include: { credentials: { orderBy: { createdAt: "desc" } } } });
    if (!agent) return null;
    const since = new Date(Date.now() - 24 * 60 * 60 * 1000);
    const [owner, tokens, tokens24h, history] = await Promise.all([
      tx.user.findUnique({ where: { id: agent.ownerId }, select: { id: true, email: true, name: true } }),
      tx.agentToken.findMany({ where: { tenantId, agentId }, orderBy: { issuedAt: "desc" }, take: 20 }),
      tx.agentToken.count({ where: { tenantId, agentId, issuedAt: { gte: since } } }),
      tx.auditEntry.findMany({ where: { tenantId, targetType: "agent", targetId: agentId }, orderBy: { seq: "desc" }, take: 30 }),
    ]);
    return {
      id: agent.id,
      name: agent.name,
      description: agent.description,
      owner: owner ?? { id: agent.ownerId, email: "unknown", name: "unknown" },
      labels: agent.labels,
      environment: agent.environment,
      tokenTtlMinutes: Math.round(agent.tokenTtlSeconds / 60),
      status: agent.status,
      statusReason: agent.statusReason,
      lastSeenAt: agent.lastSeenAt?.toISOString() ?? null,
      createdAt: agent.createdAt.toISOString(),
      credentials: agent.credentials.map(describeCredential),
      tokens24h,
      recentTokens: tokens.map((t) => ({ jti: t.jti, credentialId: t.credentialId, grantType: t.grantType, sourceIp: t.sourceIp, issuedAt: t.issuedAt.toISOString(), expiresAt: t.expiresAt.toISOString() })),
      history: history.map((e) => ({ seq: e.seq.toString(), action: e.action, actorLabel: e.actorLabel, createdAt: e.createdAt.toISOString(), after: e.after })),
    };
  });
}

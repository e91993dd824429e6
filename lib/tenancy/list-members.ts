import { withTenant } from "@/lib/db/tenant";

export async function listMembers({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const [members, invitations] = await Promise.all([
      tx.membership.findMany({
        where: { tenantId },
        include: { user: { select: { id: true, email: true, name: true, lastLoginAt: true, oidcSubject: true } } },
        orderBy: { createdAt: "asc" },
      }),
      tx.invitation.findMany({
        where: { tenantId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
        orderBy: { createdAt: "desc" },
      }),
    ]);
    return {
      members: members.map((m) => ({
        id: m.id,
        userId: m.user.id,
        email: m.user.email,
        name: m.user.name,
        role: m.role,
        approverGroups: m.approverGroups,
        sso: Boolean(m.user.oidcSubject),
        lastLoginAt: m.user.lastLoginAt?.toISOString() ?? null,
        joinedAt: m.createdAt.toISOString(),
      })),
      invitations: invitations.map((i) => ({
        id: i.id,
        email: i.email,
        role: i.role,
        expiresAt: i.expiresAt.toISOString(),
        createdAt: i.createdAt.toISOString(),
      })),
    };
  });
}

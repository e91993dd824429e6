import { getServerSession } from "next-auth";
import type { Role } from "@/lib/db/generated/enums";
import { withUser } from "@/lib/db/tenant";
import { authOptions } from "./options";

export type SessionUser = { id: string; email: string; name: string };

/** Who is signed in on this request, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  if (!id) return null;
  return { id, email: session.user?.email ?? "", name: session.user?.name ?? "" };
}

export type MemberContext = {
  user: SessionUser;
  role: Role;
  tenant: { id: string; slug: string; name: string };
};

/** The signed-in user's membership in the tenant with this slug, or null (not a member, or no such tenant). */
export async function findMembership(user: SessionUser, slug: string): Promise<MemberContext | null> {
  const membership = await withUser(user.id, (tx) =>
    tx.membership.findFirst({ where: { userId: user.id, tenant: { slug } }, include: { tenant: true } }),
  );
  if (!membership) return null;
  const { tenant } = membership;
  return { user, role: membership.role, tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name } };
}

/** Every tenant the user belongs to, for the switcher. */
export async function listMyTenants(userId: string) {
  const rows = await withUser(userId, (tx) =>
    tx.membership.findMany({ where: { userId }, include: { tenant: true }, orderBy: { tenant: { name: "asc" } } }),
  );
  return rows.map((m) => ({ id: m.tenant.id, slug: m.tenant.slug, name: m.tenant.name, role: m.role }));
}

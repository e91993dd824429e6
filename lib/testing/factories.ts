/** Seed helpers for tests: every test builds its own tenant, so tests never share rows. */
import { randomBytes } from "node:crypto";
import type { MemberContext } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Role } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { createTenant } from "@/lib/tenancy/create-tenant";

export const uniq = () => randomBytes(4).toString("hex");

export async function createUser(overrides: { email?: string; name?: string; passwordHash?: string } = {}) {
  const email = overrides.email ?? `user-${uniq()}@example.test`;
  return db().user.create({ data: { email, name: overrides.name ?? email.split("@")[0]!, passwordHash: overrides.passwordHash } });
}

/** A tenant with an owner and one member per extra role; returns member contexts by role. */
export async function createTestTenant(roles: Role[] = []) {
  const owner = await createUser();
  const tenant = await createTenant({ name: `Test ${uniq()}`, owner });
  const ctx = (user: { id: string; email: string; name: string }, role: Role): MemberContext => ({
    user: { id: user.id, email: user.email, name: user.name },
    role,
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
  });
  const members: Partial<Record<Role, MemberContext>> = { owner: ctx(owner, "owner") };
  for (const role of roles) {
    const user = await createUser();
    await withTenant({ tenantId: tenant.id }, (tx) => tx.membership.create({ data: { tenantId: tenant.id, userId: user.id, role } }));
    members[role] = ctx(user, role);
  }
  return { tenant, owner: members.owner!, members };
}

export async function createTestAgent(tenantId: string, ownerId: string, overrides: { status?: "active" | "suspended" | "decommissioned" } = {}) {
  return withTenant({ tenantId }, (tx) =>
    tx.agent.create({ data: { tenantId, name: `agent-${uniq()}`, ownerId, status: overrides.status ?? "active" } }),
  );
}

/** A credential row for tokens to point at (`cid`); its secret is never used. */
export async function createTestCredential(tenantId: string, agentId: string) {
  return withTenant({ tenantId }, (tx) =>
    tx.agentCredential.create({ data: { id: `cred_${uniq()}${uniq()}`, tenantId, agentId, kind: "client_secret", label: "test", secretHash: "unused" } }),
  );
}

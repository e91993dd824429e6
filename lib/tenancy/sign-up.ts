import { decoyHash, hashSecret, verifySecret } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { createTenant, slugify } from "./create-tenant";

/**
 * Self-serve sign-up, answered the same whether or not the email has an account, so the
 * form cannot be used to find out who has one:
 * - a new email: a new user who owns a new tenant;
 * - an existing account and its own password: that user gets the new tenant (they proved
 *   the account is theirs; the same as "create tenant" once signed in);
 * - an existing account and any other password: nothing is created, and the answer names
 *   the slug the tenant would have had. Signing in with that password then fails, exactly
 *   as it would for any wrong password (and it is throttled).
 * Each path costs one slow hash, so timing does not tell them apart either.
 */
export async function signUp(input: { name: string; email: string; password: string; tenantName: string; requestId?: string }) {
  const silent = () => ({ user: null, tenant: null, slug: slugify(input.tenantName) });
  const existing = await db().user.findUnique({ where: { email: input.email } });
  if (existing) {
    const ok = await verifySecret(input.password, existing.passwordHash ?? (await decoyHash()));
    if (!ok || !existing.passwordHash) return silent();
    const tenant = await createTenant({ name: input.tenantName, owner: existing, requestId: input.requestId });
    return { user: existing, tenant, slug: tenant.slug };
  }
  let user;
  try {
    user = await db().user.create({ data: { email: input.email, name: input.name, passwordHash: await hashSecret(input.password) } });
  } catch (error) {
    if (isUniqueViolation(error)) return silent(); // signed up a moment ago by another request
    throw error;
  }
  const tenant = await createTenant({ name: input.tenantName, owner: user, requestId: input.requestId });
  return { user, tenant, slug: tenant.slug };
}

import { db, type Tx } from "./client";

/**
 * Runs `fn` in one transaction with the tenant (and optionally the user) set for
 * row-level security. Every read or write of tenant-owned rows goes through here.
 */
export async function withTenant<T>(
  scope: { tenantId: string; userId?: string },
  fn: (tx: Tx) => Promise<T>,
  options?: { timeout?: number; maxWait?: number }, // Prisma's defaults: 5 s, 2 s
): Promise<T> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.userId ?? ""}, true)`;
    return fn(tx);
  }, options);
}

/**
 * A transaction that sees a user's own memberships and tenants across every tenant
 * (tenant switcher, sign-in) but no tenant's other rows.
 */
export async function withUser<T>(userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.user_id', ${userId}, true), set_config('app.tenant_id', '', true)`;
    return fn(tx);
  });
}

/** Accepting an invitation: the token holder may read that one invitation. */
export async function withInviteToken<T>(tokenHash: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.invite_token_hash', ${tokenHash}, true)`;
    return fn(tx);
  });
}

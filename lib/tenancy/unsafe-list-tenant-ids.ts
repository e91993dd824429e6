import { db } from "@/lib/db/client";

/**
 * Every tenant id, across tenants: only for background jobs that then work per tenant
 * through `withTenant`. Backed by the SECURITY DEFINER function unsafe_all_tenant_ids().
 */
export async function unsafeListTenantIds(): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`SELECT unsafe_all_tenant_ids() AS id`;
  return rows.map((r) => r.id);
}

import { policyCache } from "@/lib/policy/engine";

/**
 * After a registry write has committed: every process drops the tenant's cached policy
 * (which holds the registry and its compiled argument validators), so decisions see the
 * new operations and schemas within a second instead of at the cache's 30 s refresh.
 */
export function registryChanged(tenantId: string): Promise<void> {
  return policyCache.invalidate(tenantId);
}

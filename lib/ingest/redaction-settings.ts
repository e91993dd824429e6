import { z } from "zod";
import { TenantCache } from "@/lib/agents/tenant-cache";
import { withTenant } from "@/lib/db/tenant";
import { compilePath, redactionPathSyntax, type CompiledPath } from "./redact";

const globalCache = globalThis as unknown as { gatehouseRedactionPaths?: TenantCache<CompiledPath[]> };

/** `tenants.settings.redaction`: the JSON paths a tenant redacts on top of the built-in rules. */
export const redactionSettings = z.object({
  paths: z
    .array(z.string().trim().max(200).regex(redactionPathSyntax, "Use dot paths like args.card.number or output.items[*].email."))
    .max(100)
    .default([]),
});
export type RedactionSettings = z.infer<typeof redactionSettings>;

export function parseRedactionSettings(settings: unknown): RedactionSettings {
  const raw = (settings as { redaction?: unknown } | null)?.redaction;
  const parsed = redactionSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { paths: [] };
}

/**
 * The tenant's configured paths, compiled, held per process (lib/agents/tenant-cache.ts):
 * a change in Settings reaches every process through its invalidation at once, and the
 * 10 s lifetime bounds it should that message be lost.
 */
const redactionCache = (globalCache.gatehouseRedactionPaths ??= new TenantCache({ kinds: ["settings"], ttlMs: 10_000, load: loadRedactionPaths }));

async function loadRedactionPaths(tenantId: string): Promise<CompiledPath[]> {
  const tenant = await withTenant({ tenantId }, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } }));
  return parseRedactionSettings(tenant?.settings).paths.map(compilePath);
}

export const tenantRedactionPaths = (tenantId: string) => redactionCache.get(tenantId);

/** Tells every process to reload the tenant's paths (call after the change has committed). */
export const forgetRedactionPaths = (tenantId: string) => redactionCache.invalidate(tenantId);

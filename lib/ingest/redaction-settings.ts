import { z } from "zod";
import { withTenant } from "@/lib/db/tenant";
import { compilePath, redactionPathSyntax, type CompiledPath } from "./redact";

/** `tenants.settings.redaction`: the JSON paths a tenant redacts on top of the built-in rules. */
export const redactionSettings = z.object({
  paths: z
    .array(z.string().trim().max(200).regex(redactionPathSyntax, "Use dot paths like args.card.number or output.items[*].email."))
    .max(100)
    .default([]),
});
export type RedactionSettings = z.infer<typeof redactionSettings>;

const CACHE_MS = 10_000;
const cache = new Map<string, { paths: CompiledPath[]; at: number }>();
// One load per tenant at a time: when the entry expires under load, every waiting request
// must not open its own transaction (that emptied the pool and answered 500s).
const loading = new Map<string, Promise<CompiledPath[]>>();

export function parseRedactionSettings(settings: unknown): RedactionSettings {
  const raw = (settings as { redaction?: unknown } | null)?.redaction;
  const parsed = redactionSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { paths: [] };
}

/**
 * The tenant's configured paths, compiled; cached per process for 10 s, so a change in
 * Settings applies to events received at most 10 s later.
 */
export async function tenantRedactionPaths(tenantId: string): Promise<CompiledPath[]> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.paths;
  let load = loading.get(tenantId);
  if (!load) {
    load = loadRedactionPaths(tenantId).finally(() => loading.delete(tenantId));
    loading.set(tenantId, load);
  }
  return load;
}

async function loadRedactionPaths(tenantId: string): Promise<CompiledPath[]> {
  const tenant = await withTenant({ tenantId }, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } }));
  const paths = parseRedactionSettings(tenant?.settings).paths.map(compilePath);
  cache.set(tenantId, { paths, at: Date.now() });
  return paths;
}

/** Forget cached settings (after a change in this process; tests). */
export function forgetRedactionPaths(tenantId?: string) {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}

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
const cache = new Map<string, { paths: Promise<CompiledPath[]>; at: number }>();

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
  // The promise is cached, not its result: at hundreds of decisions/s every request in the
  // moment the entry expires would otherwise open its own transaction, exhaust the pool and 500.
  const paths = withTenant({ tenantId }, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } })).then((tenant) =>
    parseRedactionSettings(tenant?.settings).paths.map(compilePath),
  );
  cache.set(tenantId, { paths, at: Date.now() });
  paths.catch(() => {
    if (cache.get(tenantId)?.paths === paths) cache.delete(tenantId); // a failed read is not cached
  });
  return paths;
}

/** Forget cached settings (after a change in this process; tests). */
export function forgetRedactionPaths(tenantId?: string) {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}

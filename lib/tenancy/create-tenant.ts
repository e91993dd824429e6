import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { isUniqueViolation } from "@/lib/db/errors";
import { newId } from "@/lib/ids";

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "") // drop the accents NFKD split off: Zürich → zurich
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base.length >= 2 ? base : "tenant";
}

/**
 * Creates a tenant with `owner` as its first owner. The slug comes from the name; when it
 * is taken (we cannot see other tenants, by design) a short suffix is added.
 */
export async function createTenant(input: {
  name: string;
  owner: { id: string; email: string };
  slug?: string;
  requestId?: string;
}) {
  const base = input.slug ?? slugify(input.name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${newId("x").slice(2, 7)}`;
    const tenantId = newId("ten");
    try {
      return await withTenant({ tenantId, userId: input.owner.id }, async (tx) => {
        const tenant = await tx.tenant.create({ data: { id: tenantId, slug, name: input.name } });
        await tx.membership.create({ data: { tenantId, userId: input.owner.id, role: "owner" } });
        await appendAuditEntry(tx, {
          tenantId,
          actor: { type: "user", id: input.owner.id, label: input.owner.email },
          action: "tenant.created",
          target: { type: "tenant", id: tenantId },
          after: { name: tenant.name, slug: tenant.slug, owner: input.owner.email },
          requestId: input.requestId,
        });
        return tenant;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error("Could not find a free slug for this tenant name");
}

import { withTenant } from "@/lib/db/tenant";

export async function listToolsAndVersions({ tenantId }: { tenantId: string }) {
  return withTenant({ tenantId }, async (tx) => {
    const [tools, versions] = await Promise.all([
      tx.tool.findMany({ where: { tenantId }, orderBy: { name: "asc" }, include: { operations: { orderBy: { name: "asc" } } } }),
      tx.policyVersion.findMany({ where: { tenantId }, orderBy: { version: "desc" }, take: 10 }),
    ]);
    return { tools, versions };
  });
}

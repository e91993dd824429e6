import { withTenant } from "@/lib/db/tenant";
import { describeUpstream, toolCoverage } from "@/lib/gateway/coverage";
import { describeOperation } from "./tool-audit";

/** The tenant's tool registry: every tool with its operations, by name. */
export async function listTools({ tenantId }: { tenantId: string }) {
  const tools = await withTenant({ tenantId }, (tx) =>
    tx.tool.findMany({ where: { tenantId }, orderBy: { name: "asc" }, include: { operations: { orderBy: { name: "asc" } }, connection: { select: { status: true } } } }),
  );
  return tools.map((t) => ({
    id: t.id,
    name: t.name,
    displayName: t.displayName,
    description: t.description,
    createdAt: t.createdAt.toISOString(),
    upstream: describeUpstream(t),
    coverage: toolCoverage(t),
    operations: t.operations.map(describeOperation),
  }));
}

import { withTenant } from "@/lib/db/tenant";
import { describeConnection, type ConnectionView } from "./describe-connection";

/** The tenant's connections with the tools that use them (console). */
export async function listConnections({ tenantId }: { tenantId: string }): Promise<ConnectionView[]> {
  return withTenant({ tenantId }, async (tx) => {
    const [connections, tools] = await Promise.all([
      tx.connection.findMany({ where: { tenantId }, orderBy: { name: "asc" } }),
      tx.tool.findMany({ where: { tenantId, connectionId: { not: null } }, select: { id: true, name: true, connectionId: true }, orderBy: { name: "asc" } }),
    ]);
    return connections.map((c) =>
      describeConnection(
        c,
        tools.filter((t) => t.connectionId === c.id).map((t) => ({ toolId: t.id, toolName: t.name })),
      ),
    );
  });
}
